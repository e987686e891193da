/**
 * When a change of the view is a history entry of its own. A change a person may want to
 * undo (a run ticked, a sort, a project, a group) is, so that Back undoes it; typing in
 * the search and tag boxes and dragging a range are not (an entry per keystroke). The chart
 * view's own changes (zoom, sections) decide for themselves (chart-view.ts).
 */

/** Query keys that change as a person types or drags. */
const TYPED = new Set(["q", "tag", "range"]);

/**
 * Runs `write`, which puts the view in the URL (replacing the current entry); when it
 * changed more than typed keys, the old URL stays in history as an entry of its own.
 */
export function saveView(write: () => void): void {
  const before = `${location.pathname}${location.search}${location.hash}`;
  const old = new URLSearchParams(location.search);
  write();
  const now = new URLSearchParams(location.search);
  const keys = new Set([...old.keys(), ...now.keys()]);
  const undoable = [...keys].some(
    (key) => !TYPED.has(key) && old.getAll(key).join("\u0000") !== now.getAll(key).join("\u0000"),
  );
  if (!undoable) return;
  const after = `${location.pathname}${location.search}${location.hash}`;
  history.replaceState(null, "", before);
  history.pushState(null, "", after);
}
