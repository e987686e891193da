/**
 * When a change of the view is a history entry of its own. Every change a person may
 * want to undo is (a run ticked, a sort, a project, a group, a range dragged on an axis),
 * so that Back undoes it. Typing in the search and tag boxes is one entry per box, not one
 * per keystroke: the first key typed into a box adds an entry, the keys after it change
 * that entry, so Back takes the whole text away and leaves what came before it. The chart
 * view's own changes (zoom, sections) decide for themselves (chart-view.ts).
 */

/** Query keys that change as a person types. */
const TYPED = new Set(["q", "tag"]);

/** What an entry that typing added holds in `history.state`: the box typed into. */
interface TypingState {
  typing: string;
}

function typingOf(state: unknown): string | undefined {
  if (typeof state !== "object" || state === null || !("typing" in state)) return undefined;
  const typing = (state as TypingState).typing;
  return typeof typing === "string" ? typing : undefined;
}

function here(): string {
  return `${location.pathname}${location.search}${location.hash}`;
}

/**
 * Runs `write`, which puts the view in the URL (replacing the current entry), and keeps
 * the old URL in history as an entry of its own when the change is one to undo.
 */
export function saveView(write: () => void): void {
  const before = here();
  const state: unknown = history.state;

  const old = new URLSearchParams(location.search);
  write();
  const now = new URLSearchParams(location.search);
  const keys = new Set([...old.keys(), ...now.keys()]);
  const changed = [...keys]
    .filter((key) => old.getAll(key).join("\u0000") !== now.getAll(key).join("\u0000"))
    .sort();
  if (changed.length === 0) return;
  const after = here();
  const typing = changed.every((key) => TYPED.has(key)) ? changed.join(",") : undefined;
  if (typing !== undefined && typingOf(state) === typing) {
    // More keys typed into the same box: the entry the first key added follows them.
    history.replaceState({ typing } satisfies TypingState, "", after);
    return;
  }
  // The entry left behind is no longer typed into: keys typed after Back to it add an
  // entry of their own (the URL writer keeps no other state).
  history.replaceState(null, "", before);
  history.pushState(typing === undefined ? null : ({ typing } satisfies TypingState), "", after);
}
