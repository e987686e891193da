/**
 * Cuts a console stream into lines as the Python client does (FORMAT.md §8), with the
 * fixes of §15.7: a line ending in `\r\n` is a line, a trailing `\r` waits to see
 * whether a `\n` follows, and nothing is lost at close. A `\r` followed by more text
 * is a redraw: the line keeps only what came after it, so a progress bar ends as its
 * last state. Empty lines are not logged.
 */

export interface LineCutterState {
  pending: string;
  /** The pending text ended with `\r`, and what follows decides what it meant. */
  carriageReturn: boolean;
  /** performance.now() of the last emitted line, or -1. */
  lastEmit: number;
}

export class LineCutter {
  #state: LineCutterState = { pending: "", carriageReturn: false, lastEmit: -1 };

  /** Feeds a chunk; returns the completed lines. */
  push(chunk: string, now: number): string[] {
    const lines: string[] = [];
    const state = this.#state;
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const code = chunk.charCodeAt(i);
      if (code === 0x0a) {
        this.#append(chunk.slice(start, i));
        this.#emit(lines, now);
        start = i + 1;
      } else if (code === 0x0d) {
        this.#append(chunk.slice(start, i));
        state.carriageReturn = true;
        start = i + 1;
      }
    }
    this.#append(chunk.slice(start));
    return lines;
  }

  #append(text: string): void {
    if (text === "") return;
    const state = this.#state;
    if (state.carriageReturn) {
      // Text after a carriage return redraws the line.
      state.pending = text;
      state.carriageReturn = false;
    } else {
      state.pending += text;
    }
  }

  #emit(lines: string[], now: number): void {
    const state = this.#state;
    if (state.pending !== "") {
      lines.push(state.pending);
      state.lastEmit = now;
    }
    state.pending = "";
    state.carriageReturn = false;
  }

  /**
   * The pending partial line, when it should be logged without waiting for its end:
   * always at close (`force`), else if nothing was emitted on this stream for 5 s.
   */
  flushPartial(now: number, force: boolean): string | undefined {
    const state = this.#state;
    if (state.pending === "") return undefined;
    if (!force && state.lastEmit >= 0 && now - state.lastEmit < 5000) return undefined;
    const lines: string[] = [];
    this.#emit(lines, now);
    return lines[0];
  }

  snapshot(): LineCutterState {
    return { ...this.#state };
  }

  restore(state: LineCutterState): void {
    this.#state = { ...state };
  }
}
