/**
 * A team server (`goodseed server`) answers 401 with its JSON error
 * (`{"error_code": "Auth.Unauthorized", ...}`) to a browser without a session: the page
 * then goes to the server's sign-in page, which brings the user back to this view. A
 * page pointed at another server (`?api=`) has no session there to get: it only shows
 * the error.
 */

let leaving = false;

/** Whether `response` (with its parsed `body`) asks for a sign-in; if so, go there. */
export function signInIfAsked(response: Response, body: unknown, apiBase: string): boolean {
  if (response.status !== 401 || apiBase !== "") return false;
  const code = (body as { error_code?: unknown } | null)?.error_code;
  if (code !== "Auth.Unauthorized") return false;
  if (!leaving) {
    leaving = true;
    const next = `${location.pathname}${location.search}${location.hash}`;
    location.assign(`/signin?next=${encodeURIComponent(next)}`);
  }
  return true;
}
