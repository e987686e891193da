/**
 * The main thread's writing side of an open run: validates and encodes each call
 * into the run's ring and does nothing else, so `run.log` costs a map lookup and a
 * few stores. The Worker turns the records into SQLite rows.
 */

import { InvalidValueError } from "../errors.ts";
import { ByteWriter } from "../queue/bytes.ts";
import { Op, SeriesKind } from "../queue/layout.ts";
import type { RingProducer } from "../queue/ring-producer.ts";
import { parseStringSet } from "../values/config-value.ts";
import { describe, normalizePath } from "../values/field-path.ts";
import type { ConfigEntry } from "../values/flatten.ts";
import { nowIso } from "../values/time.ts";
import type { LogOptions } from "./options.ts";

/** A series path with its ring slots (-1 until first used) and its next auto-step. */
interface SeriesEntry {
  readonly path: string;
  metricSlot: number;
  stringSlot: number;
  next: number;
}

const MAX_SLOT = 2 ** 23 - 1;

/** A plain object or Map of path to value, as the batch calls take. */
export type PathRecord<V> = Readonly<Record<string, V>> | ReadonlyMap<string, V>;

function isPlainRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function entriesOf<V>(data: PathRecord<V>, call: string): [string, unknown][] {
  if (data instanceof Map) return [...data.entries()];
  if (isPlainRecord(data)) return Object.entries(data);
  throw new InvalidValueError(
    `${call} takes a plain object or a Map of path to value, got ${describe(data)}.`,
  );
}

function badStep(path: string, step: unknown): InvalidValueError {
  return new InvalidValueError(
    `Step for '${path}' must be a finite number, got ${typeof step === "number" ? String(step) : describe(step)}.`,
    path,
  );
}

export class RunWriter {
  readonly #ring: RingProducer;
  readonly #clock: Int32Array;
  readonly #series = new Map<string, SeriesEntry>();
  readonly #payload = new ByteWriter();
  #nextSlot = 0;
  readonly #configTags: Map<string, string>;
  readonly #stringSets: Map<string, Set<string>>;
  // Scratch arrays reused by logMetrics.
  readonly #slots: number[] = [];
  readonly #steps: number[] = [];
  readonly #values: number[] = [];
  readonly #entries: SeriesEntry[] = [];

  constructor(
    ring: RingProducer,
    clock: Int32Array,
    state: {
      configTags: Map<string, string>;
      stringSets: Map<string, Set<string>>;
      nextSteps: Map<string, number>;
    },
  ) {
    this.#ring = ring;
    this.#clock = clock;
    this.#configTags = state.configTags;
    this.#stringSets = state.stringSets;
    for (const [path, next] of state.nextSteps) {
      this.#series.set(path, { path, metricSlot: -1, stringSlot: -1, next });
    }
  }

  /** `run.log`: one number (metric) or string (string series) at a step. */
  log(rawPath: string, value: unknown, options: LogOptions | undefined): void {
    const entry = this.#series.get(rawPath) ?? this.#entry(rawPath);
    if (typeof value === "number") {
      const step = this.#step(entry, options);
      const slot =
        entry.metricSlot >= 0 ? entry.metricSlot : this.#define(entry, SeriesKind.METRIC);
      this.#ring.putMetric(slot, Atomics.load(this.#clock, 0), step, value);
    } else if (typeof value === "string") {
      const step = this.#step(entry, options);
      const slot =
        entry.stringSlot >= 0 ? entry.stringSlot : this.#define(entry, SeriesKind.STRING);
      const payload = this.#payload.reset().u32(Atomics.load(this.#clock, 0)).u32(1);
      payload.u32(slot).f64(step).str(value);
      this.#ring.putOp(Op.STRINGS, payload.bytes());
    } else if (typeof value === "bigint") {
      this.log(rawPath, Number(value), options);
    } else {
      throw new InvalidValueError(
        `run.log('${entry.path}') takes a number (metric) or a string (string series), got ${describe(value)}.`,
        entry.path,
      );
    }
  }

  /** `run.logMetrics`: every value is checked before any is queued. */
  logMetrics(data: PathRecord<number>, options: LogOptions | undefined): void {
    const explicit = options?.step;
    const entries = this.#entries;
    const values = this.#values;
    let count = 0;
    if (data instanceof Map) {
      for (const [key, value] of data) count = this.#checkMetric(key, value, count);
    } else if (isPlainRecord(data)) {
      for (const key in data) count = this.#checkMetric(key, data[key], count);
    } else {
      throw new InvalidValueError(
        `logMetrics takes a plain object or a Map of path to value, got ${describe(data)}.`,
      );
    }
    if (count === 0) return;
    if (explicit !== undefined && (typeof explicit !== "number" || explicit - explicit !== 0)) {
      throw badStep((entries[0] as SeriesEntry).path, explicit);
    }
    const slots = this.#slots;
    const steps = this.#steps;
    for (let i = 0; i < count; i++) {
      const entry = entries[i] as SeriesEntry;
      steps[i] = this.#advance(entry, explicit);
      slots[i] = entry.metricSlot >= 0 ? entry.metricSlot : this.#define(entry, SeriesKind.METRIC);
    }
    const ts = Atomics.load(this.#clock, 0);
    if (count === 1)
      this.#ring.putMetric(slots[0] as number, ts, steps[0] as number, values[0] as number);
    else this.#ring.putMetrics(ts, slots, steps, values, count);
  }

  /** Validates one logMetrics entry into the scratch arrays at `index`; returns the next index. */
  #checkMetric(key: string, value: unknown, index: number): number {
    const entry = this.#series.get(key) ?? this.#entry(key);
    if (typeof value === "number") this.#values[index] = value;
    else if (typeof value === "bigint") this.#values[index] = Number(value);
    else {
      throw new InvalidValueError(
        `logMetrics value for '${entry.path}' must be a number, got ${describe(value)}${typeof value === "string" ? "; log strings with logStrings" : ""}.`,
        entry.path,
      );
    }
    this.#entries[index] = entry;
    return index + 1;
  }

  /** `run.logStrings`: every value is checked before any is queued. */
  logStrings(data: PathRecord<string>, options: LogOptions | undefined): void {
    const pairs = entriesOf(data, "logStrings");
    const explicit = options?.step;
    if (explicit !== undefined && (typeof explicit !== "number" || !Number.isFinite(explicit))) {
      throw badStep(pairs[0] ? normalizePath(pairs[0][0]) : "logStrings", explicit);
    }
    const entries: [SeriesEntry, string][] = [];
    for (const [key, value] of pairs) {
      const entry = this.#series.get(key) ?? this.#entry(key);
      if (typeof value !== "string") {
        throw new InvalidValueError(
          `logStrings value for '${entry.path}' must be a string, got ${describe(value)}.`,
          entry.path,
        );
      }
      entries.push([entry, value]);
    }
    if (entries.length === 0) return;
    const resolved = entries.map(([entry, value]) => {
      const step = this.#advance(entry, explicit);
      const slot =
        entry.stringSlot >= 0 ? entry.stringSlot : this.#define(entry, SeriesKind.STRING);
      return { slot, step, value };
    });
    const payload = this.#payload.reset().u32(Atomics.load(this.#clock, 0)).u32(resolved.length);
    for (const { slot, step, value } of resolved) payload.u32(slot).f64(step).str(value);
    this.#ring.putOp(Op.STRINGS, payload.bytes());
  }

  /** Writes encoded configs as one call (one `updated_at`). */
  configs(entries: readonly ConfigEntry[]): void {
    if (entries.length === 0) return;
    const payload = this.#payload.reset().str(nowIso()).u32(entries.length);
    for (const entry of entries) {
      payload.str(entry.path).str(entry.tag).str(entry.text);
      this.#configTags.set(entry.path, entry.tag);
      if (entry.tag === "string_set") this.#stringSets.set(entry.path, parseStringSet(entry.text));
      else this.#stringSets.delete(entry.path);
    }
    this.#ring.putOp(Op.CONFIGS, payload.bytes());
  }

  /** The type tag of a config path, if it has been written. */
  configTag(path: string): string | undefined {
    return this.#configTags.get(path);
  }

  /** The members of a `string_set` config. */
  stringSet(path: string): Set<string> | undefined {
    return this.#stringSets.get(path);
  }

  /** Sets (or, with `undefined`, deletes) a run_meta key. */
  meta(key: string, value: string | undefined): void {
    const payload = this.#payload
      .reset()
      .str(key)
      .u8(value === undefined ? 0 : 1)
      .str(value ?? "");
    this.#ring.putOp(Op.META, payload.bytes());
  }

  /** Starts the Worker-side monitoring of this run: console line cutting and hardware samples. */
  monitor(options: {
    namespace: string;
    stdout: boolean;
    stderr: boolean;
    hardware: boolean;
    consoleStep: number;
    hardwareStep: number;
    intervalMs: number;
  }): void {
    const payload = this.#payload.reset().str(options.namespace);
    payload
      .u8(options.stdout ? 1 : 0)
      .u8(options.stderr ? 1 : 0)
      .u8(options.hardware ? 1 : 0);
    payload.f64(options.consoleStep).f64(options.hardwareStep).f64(options.intervalMs);
    this.#ring.putOp(Op.MONITOR, payload.bytes());
  }

  /** Console output for the Worker to cut into lines. */
  consoleText(stream: "stdout" | "stderr", text: string): void {
    this.#ring.putOp(
      Op.CONSOLE,
      this.#payload
        .reset()
        .u8(stream === "stderr" ? 1 : 0)
        .str(text)
        .bytes(),
    );
  }

  /** Queues the end of the run: the Worker commits, checkpoints and closes the file. */
  close(): void {
    this.#ring.putOp(Op.CLOSE, new Uint8Array(0));
  }

  /** The next auto-step of `path` (for series the library logs itself, such as tracebacks). */
  nextStep(path: string): number {
    return (this.#series.get(path) ?? this.#entry(path)).next;
  }

  #entry(rawPath: string): SeriesEntry {
    const path = normalizePath(rawPath);
    let entry = this.#series.get(path);
    if (entry === undefined) {
      entry = { path, metricSlot: -1, stringSlot: -1, next: 0 };
      this.#series.set(path, entry);
    }
    this.#series.set(rawPath, entry);
    return entry;
  }

  #step(entry: SeriesEntry, options: LogOptions | undefined): number {
    const step = options?.step;
    if (step !== undefined && (typeof step !== "number" || step - step !== 0))
      throw badStep(entry.path, step);
    return this.#advance(entry, step);
  }

  /** The step to write: explicit, or the path's next auto-step; moves the counter past it. */
  #advance(entry: SeriesEntry, step: number | undefined): number {
    if (step === undefined) return entry.next++;
    if (step + 1 > entry.next) entry.next = step + 1;
    return step;
  }

  #define(entry: SeriesEntry, kind: number): number {
    const slot = this.#nextSlot++;
    if (slot > MAX_SLOT)
      throw new InvalidValueError(`Too many series in one run (more than ${MAX_SLOT}).`);
    if (kind === SeriesKind.METRIC) entry.metricSlot = slot;
    else entry.stringSlot = slot;
    this.#ring.putOp(
      Op.DEFINE_SERIES,
      this.#payload.reset().u8(kind).u32(slot).str(entry.path).bytes(),
    );
    return slot;
  }
}
