/**
 * Writes a view into the page's URL. Views are written at every change (each key
 * typed in the search box): a URL that stays the same is not written again, since
 * each history entry written took some milliseconds of the keystroke.
 */

/** Puts `params` in the URL as its query; `push` adds a history entry (Back undoes it). */
export function writeQuery(params: URLSearchParams, push = false): void {
  const search = params.toString();
  const url = `${location.pathname}${search ? `?${search}` : ""}${location.hash}`;
  if (url === `${location.pathname}${location.search}${location.hash}`) return;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}
