/**
 * The Worker's side of a run's monitoring: console text cut into lines (one step
 * counter for both streams), partial lines flushed on the peer's schedule, and the
 * step counter of hardware samples. Its console state is snapshotted at each commit
 * and restored on a rollback, because the ring replays the console text.
 */

import { LineCutter, type LineCutterState } from "../monitoring/console-lines.ts";
import type { ByteReader } from "../queue/bytes.ts";

/** How often partial console lines are considered for flushing, as the peer's drain. */
const CONSOLE_DRAIN_MS = 1000;
const STREAMS = ["stdout", "stderr"] as const;

export interface ConsoleSnapshot {
  readonly consoleStep: number;
  readonly cutters: readonly [LineCutterState, LineCutterState];
}

export class SinkMonitoring {
  readonly namespace: string;
  readonly hardware: boolean;
  readonly intervalMs: number;
  #consoleStep: number;
  #hardwareStep: number;
  readonly #cutters: [LineCutter, LineCutter] = [new LineCutter(), new LineCutter()];
  #lastDrain = 0;

  /** Reads the MONITOR operation's payload. */
  constructor(reader: ByteReader) {
    this.namespace = reader.str();
    reader.u8(); // stdout and stderr capture happen on the main thread
    reader.u8();
    this.hardware = reader.u8() === 1;
    this.#consoleStep = reader.f64();
    this.#hardwareStep = reader.f64();
    this.intervalMs = reader.f64();
  }

  /** Feeds console text; returns the finished lines with their paths and steps. */
  consoleText(
    stream: 0 | 1,
    text: string,
    now: number,
  ): { path: string; step: number; line: string }[] {
    return this.#cutters[stream].push(text, now).map((line) => this.#numbered(stream, line));
  }

  #numbered(stream: 0 | 1, line: string): { path: string; step: number; line: string } {
    return { path: `${this.namespace}/${STREAMS[stream]}`, step: this.#consoleStep++, line };
  }

  /**
   * Partial lines due for logging: at most once per drain interval those that waited
   * long enough, or (with `force`, at close) all of them.
   */
  partialLines(now: number, force: boolean): { path: string; step: number; line: string }[] {
    if (!force && now - this.#lastDrain < CONSOLE_DRAIN_MS) return [];
    this.#lastDrain = now;
    const lines: { path: string; step: number; line: string }[] = [];
    for (const stream of [0, 1] as const) {
      const line = this.#cutters[stream].flushPartial(now, force);
      if (line !== undefined) lines.push(this.#numbered(stream, line));
    }
    return lines;
  }

  nextHardwareStep(): number {
    return this.#hardwareStep++;
  }

  snapshot(): ConsoleSnapshot {
    return {
      consoleStep: this.#consoleStep,
      cutters: [this.#cutters[0].snapshot(), this.#cutters[1].snapshot()],
    };
  }

  restore(snapshot: ConsoleSnapshot): void {
    this.#consoleStep = snapshot.consoleStep;
    this.#cutters[0].restore(snapshot.cutters[0]);
    this.#cutters[1].restore(snapshot.cutters[1]);
  }
}
