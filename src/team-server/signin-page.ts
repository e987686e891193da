/**
 * The sign-in page of the team server (`/signin`): the browser posts a key once to
 * `/api/session` and gets an HttpOnly cookie, then goes back to the page that sent it
 * here (`?next=`, a path of this server) or to the web UI at `/`.
 */

export const SIGNIN_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · goodseed</title>
<style>
  body { font: 15px system-ui, sans-serif; display: grid; place-items: center; min-height: 90vh; margin: 0; }
  form { display: grid; gap: 0.6rem; width: min(28rem, 90vw); }
  input, button { font: inherit; padding: 0.5rem; }
  #error { color: #b00020; min-height: 1.2em; }
  @media (prefers-color-scheme: dark) { body { background: #111; color: #eee; } input { background: #222; color: #eee; } }
</style>
</head>
<body>
<form id="signin">
  <h1>goodseed</h1>
  <label for="key">API key (from <code>goodseed server keys create</code>)</label>
  <input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
  <button type="submit">Sign in</button>
  <p id="error" role="alert"></p>
</form>
<script>
  // Back to the page that sent the user here (\`?next=/path?query#hash\`): only a path
  // of this server, never another site.
  function back() {
    const next = new URLSearchParams(location.search).get("next");
    if (next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\\\")) return next;
    return "/";
  }
  document.getElementById("signin").addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = document.getElementById("key").value.trim();
    const answer = await fetch("/api/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key }),
    });
    if (answer.ok) location.href = back();
    else document.getElementById("error").textContent = "That key was not accepted.";
  });
</script>
</body>
</html>
`;
