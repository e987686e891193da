/**
 * The sink's commit-rollback-replay path: a commit that fails is rolled back and the
 * ring's records since the last good commit are applied again, so the file ends up
 * exactly as a run without failures leaves it.
 */

import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { allocateRing, Ctrl, ringViews, SeriesKind } from "../../../src/queue/layout.ts";
import { RingProducer } from "../../../src/queue/ring-producer.ts";
import { ensureSchema } from "../../../src/storage/schema.ts";
import { RunSink } from "../../../src/writer/run-sink.ts";
import { tempDir } from "../../helpers/temp-dir.ts";

const UPDATED_AT = "2026-12-02T07:00:00.000000+00:00";
const SECONDS = 1_780_000_000;

/** Every row of every table, sorted, minus the wall-clock heartbeat. */
function dump(file: string): Record<string, string[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db
      .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((row) => row.name)
      .sort();
    const out: Record<string, string[]> = {};
    for (const table of tables) {
      out[table] = db
        .query<Record<string, unknown>, []>(`SELECT * FROM "${table}"`)
        .all()
        .filter((row) => row.key !== "heartbeat_at")
        .map((row) => JSON.stringify(row))
        .sort();
    }
    return out;
  } finally {
    db.close();
  }
}

/** The records of a short run, in phases; each phase ends with a flush (one commit). */
function phases(producer: RingProducer): (() => void)[] {
  const big = "c".repeat(producer.chunkBytes + 1000);
  return [
    () => {
      producer.putMonitor({
        namespace: "monitoring/abc",
        hardware: false,
        consoleStep: 0,
        hardwareStep: 0,
        intervalMs: 1000,
        gpuTimeoutMs: 5000,
        traceback: false,
      });
      producer.putDefine(SeriesKind.METRIC, 0, "train/loss");
      for (let step = 0; step < 5000; step++) producer.putMetric(0, SECONDS, step, 1 / (step + 1));
      producer.putConfigs(UPDATED_AT, [{ path: "parameters/lr", tag: "float", text: "0.001" }]);
    },
    () => {
      producer.putDefine(SeriesKind.METRIC, 1, "eval/acc");
      producer.putDefine(SeriesKind.METRIC, 2, "eval/f1");
      producer.putMetrics(SECONDS + 1, [1, 2], [0, 0], [0.5, Number.NaN], 2);
      producer.putDefine(SeriesKind.STRING, 3, "notes");
      producer.putStrings(SECONDS + 1, [
        { slot: 3, step: 0, value: "first" },
        { slot: 3, step: 1, value: "second ✓" },
      ]);
      producer.putConsole(0, "epoch 1\nepoch 2\n");
      producer.putMeta("name", "renamed");
    },
    () => {
      // A payload in chunks, and a config over the boundary.
      producer.putConsole(1, `${big}\n`);
      producer.putConfigs(UPDATED_AT, [{ path: "blob", tag: "str", text: big }]);
      for (let step = 5000; step < 9000; step++) producer.putMetric(0, SECONDS + 2, step, step);
      producer.putMeta("name", undefined);
    },
    () => {
      producer.putConsole(0, "last line without end");
      producer.putMeta("status", "finished");
      producer.putClose();
    },
  ];
}

/** Writes the phases through a sink whose commits fail where `failing` says; returns the file. */
function runThrough(
  dir: string,
  name: string,
  failing: (commit: number) => boolean,
  failClose = false,
) {
  const file = join(dir, `${name}.sqlite`);
  const db = new Database(file, { create: true });
  db.run("PRAGMA journal_mode=WAL");
  ensureSchema(db);
  db.close();
  const views = ringViews(allocateRing(1024 * 1024));
  const producer = new RingProducer(views);
  let commits = 0;
  let failures = 0;
  let failNext = false;
  const errors: string[] = [];
  const sink = new RunSink(
    file,
    views,
    { onError: (message) => errors.push(message) },
    {
      beforeCommit() {
        commits++;
        if (failing(commits) || failNext) {
          failNext = false;
          failures++;
          throw new Error(`injected failure of commit ${commits}`);
        }
      },
      seconds: () => SECONDS,
    },
  );
  let now = 0;
  const all = phases(producer);
  for (const [index, phase] of all.entries()) {
    phase();
    if (failClose && index === all.length - 1) failNext = true;
    const token = producer.putFlush();
    // Each pump may read a little (a small budget), and a failed commit waits 500 ms.
    for (let round = 0; round < 10_000 && !sink.closed; round++) {
      now += 600;
      sink.pump(1000, now);
      if (
        producer.waitFlushed(token, 0) &&
        Atomics.load(views.ctrl, Ctrl.TAIL) === Atomics.load(views.ctrl, Ctrl.HEAD)
      )
        break;
    }
    if (!sink.closed) expect(producer.waitFlushed(token, 0)).toBe(true);
  }
  for (let round = 0; round < 100 && !sink.closed; round++) {
    now += 600;
    sink.pump(1000, now);
  }
  expect(sink.closed).toBe(true);
  return { file, failures, errors, commits };
}

describe("the run sink", () => {
  it("recovers from failed commits to exactly the file a clean run writes", async () => {
    await using dir = tempDir();
    const clean = runThrough(dir.path, "clean", () => false);
    expect(clean.failures).toBe(0);
    // Fail the 2nd commit, then two in a row, then the close's commit.
    const faulty = runThrough(dir.path, "faulty", (n) => [2, 5, 6].includes(n), true);
    expect(faulty.failures).toBe(4);
    expect(faulty.commits).toBe(clean.commits + 4);
    expect(faulty.errors.length).toBe(faulty.failures);
    expect(faulty.errors[0]).toContain("injected failure");
    const wanted = dump(clean.file);
    expect(wanted.metric_points?.length).toBe(9002);
    expect(wanted.string_points?.length).toBe(6);
    expect(dump(faulty.file)).toEqual(wanted);
  });
});
