/**
 * The payloads of OP records, both ways: the producer encodes each operation with the
 * `encode*` functions and the consumer turns a payload back into an {@link OpRecord}.
 * Field order and sizes are written once, here.
 */

import { ByteReader, type ByteWriter } from "./bytes.ts";
import { Op } from "./layout.ts";

/** One point of a string series. */
export interface StringPointRecord {
  readonly slot: number;
  readonly step: number;
  readonly value: string;
}

/** One config as stored: path, type tag and the value's text. */
export interface ConfigRecord {
  readonly path: string;
  readonly tag: string;
  readonly text: string;
}

/** The Worker-side monitoring of a run: console line numbering and hardware samples. */
export interface MonitorRecord {
  readonly namespace: string;
  readonly hardware: boolean;
  /** Next step of the console line series. */
  readonly consoleStep: number;
  /** Next step of the hardware series. */
  readonly hardwareStep: number;
  readonly intervalMs: number;
  /** A GPU tool that has not answered after this long is killed (settings' timing). */
  readonly gpuTimeoutMs: number;
  /** Whether a traceback may be logged (the Worker logs one when it ends the run on a signal). */
  readonly traceback: boolean;
}

export type OpRecord =
  | {
      readonly kind: "define";
      readonly seriesKind: number;
      readonly slot: number;
      readonly path: string;
    }
  | { readonly kind: "strings"; readonly ts: number; readonly points: StringPointRecord[] }
  | { readonly kind: "configs"; readonly updatedAt: string; readonly entries: ConfigRecord[] }
  | { readonly kind: "meta"; readonly key: string; readonly value: string | undefined }
  | { readonly kind: "close" }
  | { readonly kind: "console"; readonly stream: 0 | 1; readonly text: string }
  | ({ readonly kind: "monitor" } & MonitorRecord);

export function encodeDefine(w: ByteWriter, seriesKind: number, slot: number, path: string) {
  return w.reset().u8(seriesKind).u32(slot).str(path).bytes();
}

/** One string point: the single-value form of {@link encodeStrings}. */
export function encodeString(w: ByteWriter, ts: number, slot: number, step: number, value: string) {
  return w.reset().u32(ts).u32(1).u32(slot).f64(step).str(value).bytes();
}

export function encodeStrings(w: ByteWriter, ts: number, points: readonly StringPointRecord[]) {
  w.reset().u32(ts).u32(points.length);
  for (const point of points) w.u32(point.slot).f64(point.step).str(point.value);
  return w.bytes();
}

export function encodeConfigs(w: ByteWriter, updatedAt: string, entries: readonly ConfigRecord[]) {
  w.reset().str(updatedAt).u32(entries.length);
  for (const entry of entries) w.str(entry.path).str(entry.tag).str(entry.text);
  return w.bytes();
}

/** Sets a run_meta key, or deletes it when `value` is undefined. */
export function encodeMeta(w: ByteWriter, key: string, value: string | undefined) {
  return w
    .reset()
    .str(key)
    .u8(value === undefined ? 0 : 1)
    .str(value ?? "")
    .bytes();
}

export function encodeConsole(w: ByteWriter, stream: 0 | 1, text: string) {
  return w.reset().u8(stream).str(text).bytes();
}

export function encodeMonitor(w: ByteWriter, monitor: MonitorRecord) {
  return w
    .reset()
    .str(monitor.namespace)
    .u8(monitor.hardware ? 1 : 0)
    .f64(monitor.consoleStep)
    .f64(monitor.hardwareStep)
    .f64(monitor.intervalMs)
    .f64(monitor.gpuTimeoutMs)
    .u8(monitor.traceback ? 1 : 0)
    .bytes();
}

const readStringPoint = (r: ByteReader): StringPointRecord => ({
  slot: r.u32(),
  step: r.f64(),
  value: r.str(),
});

const readConfig = (r: ByteReader): ConfigRecord => ({
  path: r.str(),
  tag: r.str(),
  text: r.str(),
});

/** Decodes the payload of operation `op`; throws on an unknown operation. */
export function decodeOp(op: number, payload: Uint8Array): OpRecord {
  const r = new ByteReader(payload);
  switch (op) {
    case Op.DEFINE_SERIES:
      return { kind: "define", seriesKind: r.u8(), slot: r.u32(), path: r.str() };
    case Op.STRINGS: {
      const ts = r.u32();
      const points = r.list(readStringPoint);
      return { kind: "strings", ts, points };
    }
    case Op.CONFIGS: {
      const updatedAt = r.str();
      const entries = r.list(readConfig);
      return { kind: "configs", updatedAt, entries };
    }
    case Op.META: {
      const key = r.str();
      const present = r.u8() === 1;
      const value = r.str();
      return { kind: "meta", key, value: present ? value : undefined };
    }
    case Op.CLOSE:
      return { kind: "close" };
    case Op.CONSOLE:
      return { kind: "console", stream: r.u8() === 1 ? 1 : 0, text: r.str() };
    case Op.MONITOR:
      return {
        kind: "monitor",
        namespace: r.str(),
        hardware: r.u8() === 1,
        consoleStep: r.f64(),
        hardwareStep: r.f64(),
        intervalMs: r.f64(),
        gpuTimeoutMs: r.f64(),
        traceback: r.u8() === 1,
      };
    default:
      throw new Error(`corrupt queue operation ${op}`);
  }
}
