/**
 * A home for trying and testing the web UI on what people chart every day, written
 * straight in the run-file format (fast and with chosen timestamps):
 *
 * - `sweep/lr`: 16 runs of 2,000–18,000 steps (train/loss, train/lr every step,
 *   val/loss and val/acc every 100 steps, grad/norm every 10), configs lr (1e-7…0.3),
 *   batch_size, optimizer, seed; hardware metrics of two processes per run, two GPUs;
 *   two of them failed with a traceback;
 * - `sweep/seeds`: 14 runs, 4 lr × 3–4 seeds of 3,000 steps, for grouping;
 * - `big/long`: `million`, a 1,000,000-point train/loss (with NaN and ±Infinity points);
 * - `wide/metrics`: `many-metrics`, 68 metrics in five sections, NaN/±Infinity points, a
 *   one-point series;
 * - `live/now`: two runs marked running; `startLiveRuns(home)` makes them grow for real.
 *
 *   bun scripts/ui-fixture-home.ts DIR [--live]   (then: goodseed serve DIR/projects)
 *
 * With `--live` it keeps writing the two live runs until interrupted.
 */

import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { applyWriterPragmas, ensureSchema } from "../src/storage/schema.ts";

/** 2026-01-05 09:00 UTC: the first run's start. */
const START_S = Date.UTC(2026, 0, 5, 9, 0, 0) / 1000;

type Value = number | string;

interface RunSpec {
  project: string;
  runId: string;
  name: string;
  status: "finished" | "failed" | "running";
  createdS: number;
  /** Seconds the run lasted (finished and failed runs). */
  durationS: number;
  configs: Record<string, string | number | boolean>;
  tags?: string[];
  description?: string;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace("Z", "000+00:00");
}

/** The type tag and text a config value is stored with (FORMAT.md §3). */
function configRow(value: string | number | boolean): [string, string] {
  if (typeof value === "boolean") return ["bool", value ? "True" : "False"];
  if (typeof value === "number")
    return Number.isInteger(value) ? ["int", String(value)] : ["float", String(value)];
  return ["str", value];
}

/** One run file: meta, configs, and whatever `fill` writes through `writer`. */
class FixtureRun {
  readonly db: Database;
  readonly #series = new Map<string, number>();
  readonly #strings = new Map<string, number>();
  readonly #point;
  readonly #text;

  constructor(projects: string, spec: RunSpec) {
    const dir = join(projects, spec.project, "runs");
    mkdirSync(dir, { recursive: true });
    this.db = new Database(join(dir, `${spec.runId}.sqlite`), { create: true, strict: true });
    applyWriterPragmas(this.db);
    ensureSchema(this.db);
    this.#point = this.db.query(
      "INSERT OR REPLACE INTO metric_points (series_id, step, y, ts) VALUES (?, ?, ?, ?)",
    );
    this.#text = this.db.query(
      "INSERT OR REPLACE INTO string_points (series_id, step, value, ts) VALUES (?, ?, ?, ?)",
    );
    const meta = this.db.query("INSERT OR REPLACE INTO run_meta (key, value) VALUES (?, ?)");
    const config = this.db.query(
      "INSERT OR REPLACE INTO configs (path, type_tag, value, updated_at) VALUES (?, ?, ?, ?)",
    );
    const created = iso(spec.createdS);
    meta.run("run_id", spec.runId);
    meta.run("project", spec.project);
    meta.run("created_at", created);
    meta.run("name", spec.name);
    meta.run("status", spec.status);
    const closed = spec.status === "running" ? undefined : iso(spec.createdS + spec.durationS);
    if (closed) meta.run("closed_at", closed);
    const configs: Record<string, string | number | boolean> = {
      "sys/id": spec.runId,
      "sys/creation_time": created,
      "sys/name": spec.name,
      "sys/state": spec.status,
      ...(closed ? { "sys/closed_time": closed } : {}),
      ...(spec.description ? { "sys/description": spec.description } : {}),
      ...spec.configs,
    };
    for (const [path, value] of Object.entries(configs))
      config.run(path, ...configRow(value), created);
    if (spec.tags)
      config.run(
        "sys/tags",
        "string_set",
        `[${spec.tags
          .toSorted()
          .map((tag) => JSON.stringify(tag))
          .join(", ")}]`,
        created,
      );
  }

  #seriesId(map: Map<string, number>, table: string, path: string): number {
    let id = map.get(path);
    if (id === undefined) {
      this.db.run(`INSERT INTO ${table} (path) VALUES (?)`, [path]);
      id = (this.db.query("SELECT last_insert_rowid() AS id").get() as { id: number }).id;
      map.set(path, id);
    }
    return id;
  }

  /** A metric point; NaN is stored as the text 'NaN' (DESIGN.md §7). */
  metric(path: string, step: number, value: number, tsS: number): void {
    const y: Value = Number.isNaN(value) ? "NaN" : value;
    this.#point.run(this.#seriesId(this.#series, "metric_series", path), step, y, Math.floor(tsS));
  }

  text(path: string, step: number, value: string, tsS: number): void {
    this.#text.run(
      this.#seriesId(this.#strings, "string_series", path),
      step,
      value,
      Math.floor(tsS),
    );
  }

  close(): void {
    this.db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    this.db.close();
  }
}

/** A deterministic pseudo-random source, so every build of the home is the same. */
function random(seed: number): () => number {
  // Spread nearby seeds apart: xorshift's first outputs of small seeds are all tiny.
  let state = Math.imul(seed + 1, 2654435761) >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  for (let i = 0; i < 8; i++) next();
  return next;
}

function write(projects: string, spec: RunSpec, fill: (run: FixtureRun) => void): void {
  const run = new FixtureRun(projects, spec);
  run.db.transaction(() => fill(run))();
  run.close();
}

/** Hardware metrics of one process (FORMAT.md §8): every 10 s, two GPUs. */
function hardware(
  run: FixtureRun,
  namespace: string,
  fromS: number,
  seconds: number,
  rand: () => number,
): void {
  for (let i = 0; i * 10 <= seconds; i++) {
    const ts = fromS + i * 10;
    run.metric(`${namespace}/cpu`, i, Math.round(40 + 50 * rand()), ts);
    run.metric(
      `${namespace}/memory`,
      i,
      Math.round((1.5 + i * 0.002 + rand() * 0.2) * 100) / 100,
      ts,
    );
    for (const gpu of [0, 1]) {
      run.metric(`${namespace}/gpu_${gpu}`, i, Math.round(60 + 35 * rand()), ts);
      run.metric(`${namespace}/gpu_memory_${gpu}`, i, Math.round((50 + 20 * rand()) * 10) / 10, ts);
      run.metric(`${namespace}/gpu_power_${gpu}`, i, Math.round((200 + 90 * rand()) * 10) / 10, ts);
    }
  }
}

function monitoringConfigs(namespace: string, pid: number): Record<string, string | number> {
  return {
    [`${namespace}/hostname`]: "fixture-host",
    [`${namespace}/pid`]: pid,
    [`${namespace}/tid`]: pid * 7,
  };
}

export interface UiFixture {
  /** The home (its `projects/` is what `goodseed serve` reads). */
  home: string;
  /** Run keys (`project:runId`) of each part of the home. */
  sweep: string[];
  seeds: string[];
  million: string;
  wide: string;
  live: string[];
  failed: string[];
}

/** Seconds per step of the sweep runs: 20 steps a second (`ts` holds whole seconds). */
const STEP_S = 0.05;

/** Writes the whole home into `home` (a new or empty directory). */
export function buildUiFixtureHome(home: string, { millionPoints = 1_000_000 } = {}): UiFixture {
  const projects = join(home, "projects");
  const fixture: UiFixture = {
    home,
    sweep: [],
    seeds: [],
    million: "big/long:million",
    wide: "wide/metrics:many-metrics",
    live: ["live/now:live-a", "live/now:live-b"],
    failed: [],
  };
  const lrs = [0.3, 0.1, 0.03, 0.01, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6, 3e-7, 1e-7];
  const batches = [64, 128, 256, 512];
  for (let i = 0; i < 16; i++) {
    const rand = random(1000 + i);
    const steps = 2000 + Math.round((16000 * i) / 15) + (i % 3) * 17;
    const lr = lrs[i % lrs.length] as number;
    const failed = i === 5 || i === 12;
    const runId = `sweep-${String(i).padStart(2, "0")}`;
    const createdS = START_S + i * 1800;
    const lastStep = failed ? Math.floor(steps * 0.6) : steps - 1;
    const namespaces = [
      `monitoring/${(0xa0000000 + i * 2).toString(16)}`,
      `monitoring/${(0xa0000001 + i * 2).toString(16)}`,
    ];
    const spec: RunSpec = {
      project: "sweep/lr",
      runId,
      name: `lr ${lr} bs ${batches[i % 4]}`,
      status: failed ? "failed" : "finished",
      createdS,
      durationS: lastStep * STEP_S + 5,
      tags: ["sweep", i % 2 ? "odd" : "even"],
      configs: {
        "parameters/lr": lr,
        "parameters/batch_size": batches[i % 4] as number,
        "parameters/optimizer": i % 3 === 0 ? "sgd" : "adam",
        "parameters/seed": i % 3,
        "parameters/warmup": i % 2 === 0,
        ...monitoringConfigs(namespaces[0] as string, 4000 + i),
        ...monitoringConfigs(namespaces[1] as string, 5000 + i),
        "source_code/branch": "main",
        "source_code/commit": "3f2c9e1a7d",
      },
    };
    if (failed) fixture.failed.push(`sweep/lr:${runId}`);
    fixture.sweep.push(`sweep/lr:${runId}`);
    write(projects, spec, (run) => {
      const rate = 1 + Math.log10(lr / 1e-7) / 2;
      for (let step = 0; step <= lastStep; step++) {
        const ts = createdS + 2 + step * STEP_S;
        const noise = (rand() - 0.5) * 0.2;
        run.metric("train/loss", step, 2.5 * Math.exp((-rate * step) / 4000) + 0.1 + noise, ts);
        run.metric("train/lr", step, lr * Math.min(1, (step + 1) / 500), ts);
        if (step % 10 === 0)
          run.metric("grad/norm", step, 1 + rand() * 3 * Math.exp(-step / 5000), ts);
        if (step % 100 === 0) {
          run.metric(
            "val/loss",
            step,
            2.6 * Math.exp((-rate * step) / 4500) + 0.15 + noise / 4,
            ts,
          );
          run.metric("val/acc", step, 1 - Math.exp((-rate * step) / 5000) * 0.9, ts);
        }
      }
      // The second process starts a minute in and stops a minute early.
      const seconds = lastStep * STEP_S;
      hardware(run, namespaces[0] as string, createdS, seconds, rand);
      hardware(run, namespaces[1] as string, createdS + 60, Math.max(0, seconds - 120), rand);
      run.text(`${namespaces[0]}/stdout`, 0, `Goodseed run: ${runId}`, createdS);
      if (failed)
        run.text(
          `${namespaces[0]}/traceback`,
          0,
          `Traceback (most recent call last):\n  File "train.ts", line 42\nError: loss diverged at step ${lastStep}\n`,
          createdS + seconds,
        );
    });
  }

  const seedLrs = [0.1, 0.01, 1e-3, 1e-4];
  for (let i = 0; i < 14; i++) {
    const lr = seedLrs[i % 4] as number;
    const seed = Math.floor(i / 4);
    const rand = random(5000 + i);
    const runId = `seed-${String(i).padStart(2, "0")}`;
    const createdS = START_S + 86400 + i * 600;
    fixture.seeds.push(`sweep/seeds:${runId}`);
    write(
      projects,
      {
        project: "sweep/seeds",
        runId,
        name: `lr ${lr} seed ${seed}`,
        status: "finished",
        createdS,
        durationS: 3000 * STEP_S,
        configs: { "parameters/lr": lr, "parameters/seed": seed, "parameters/optimizer": "adam" },
        tags: ["seeds"],
      },
      (run) => {
        const rate = 1 + Math.log10(lr / 1e-4);
        const offset = (rand() - 0.5) * 0.3;
        for (let step = 0; step < 3000; step++) {
          const ts = createdS + step * STEP_S;
          run.metric(
            "train/loss",
            step,
            2 * Math.exp((-rate * step) / 800) + 0.2 + offset + (rand() - 0.5) * 0.1,
            ts,
          );
          if (step % 50 === 0)
            run.metric(
              "val/acc",
              step,
              0.5 + 0.1 * rate * (1 - Math.exp(-step / 1000)) + offset / 5,
              ts,
            );
        }
      },
    );
  }

  write(
    projects,
    {
      project: "big/long",
      runId: "million",
      name: "one million points",
      status: "finished",
      createdS: START_S + 2 * 86400,
      durationS: millionPoints / 100,
      configs: { "parameters/lr": 0.001 },
    },
    (run) => {
      const created = START_S + 2 * 86400;
      for (let step = 0; step < millionPoints; step++) {
        let value =
          Math.exp(-step / millionPoints) +
          0.05 * Math.sin(step / 50) +
          ((step * 7919) % 101) / 2000;
        if (step === 500_000) value = Number.NaN;
        if (step === 700_000) value = Number.POSITIVE_INFINITY;
        if (step === 700_001) value = Number.NEGATIVE_INFINITY;
        run.metric("train/loss", step, value, created + step / 100);
      }
    },
  );

  const sections = ["train", "val", "test", "grad", "perf"];
  write(
    projects,
    {
      project: "wide/metrics",
      runId: "many-metrics",
      name: "68 metrics",
      status: "finished",
      createdS: START_S + 3 * 86400,
      durationS: 100,
      configs: { "parameters/lr": 0.01, "parameters/layers": 12 },
    },
    (run) => {
      const created = START_S + 3 * 86400;
      for (let m = 0; m < 67; m++) {
        const path = `${sections[m % 5]}/metric_${String(m).padStart(2, "0")}`;
        for (let step = 0; step < 200; step++) {
          let value = Math.sin(step / (10 + m)) + m / 10;
          if (m === 0 && step === 50) value = Number.NaN;
          if (m === 0 && step === 120) value = Number.POSITIVE_INFINITY;
          if (m === 0 && step === 160) value = Number.NEGATIVE_INFINITY;
          run.metric(path, step, value, created + step / 2);
        }
      }
      run.metric("test/final_score", 199, 0.875, created + 100);
    },
  );

  for (const key of fixture.live) {
    const runId = key.slice(key.indexOf(":") + 1);
    const createdS = Date.now() / 1000 - 120;
    write(
      projects,
      {
        project: "live/now",
        runId,
        name: `live ${runId}`,
        status: "running",
        createdS,
        durationS: 0,
        configs: { "parameters/lr": runId === "live-a" ? 0.01 : 0.001 },
      },
      (run) => {
        for (let step = 0; step < 100; step++)
          run.metric("train/loss", step, 1 / (step + 1), createdS + step);
      },
    );
  }
  return fixture;
}

/**
 * Keeps appending points to the two live runs, as a training process would, until
 * the returned stop() (the runs stay marked running). `intervalMs` between batches.
 */
export function startLiveRuns(home: string, { intervalMs = 200 } = {}): { stop(): void } {
  const projects = join(home, "projects");
  const files = ["live-a", "live-b"].map((runId) => {
    const db = new Database(join(projects, "live/now/runs", `${runId}.sqlite`), { strict: true });
    applyWriterPragmas(db);
    return db;
  });
  const timer = setInterval(() => {
    for (const db of files) {
      const row = db
        .query(
          "SELECT MAX(step) AS step FROM metric_points JOIN metric_series ON id = series_id WHERE path = 'train/loss'",
        )
        .get() as { step: number };
      const insert = db.query(
        "INSERT INTO metric_points (series_id, step, y, ts) SELECT id, ?, ?, ? FROM metric_series WHERE path = 'train/loss'",
      );
      db.transaction(() => {
        for (let i = 1; i <= 10; i++) {
          const step = row.step + i;
          insert.run(step, 1 / (step + 1), Math.floor(Date.now() / 1000));
        }
      })();
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      for (const db of files) db.close();
    },
  };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    options: { live: { type: "boolean", default: false }, points: { type: "string" } },
    allowPositionals: true,
  });
  const dir = positionals[0];
  if (!dir) {
    console.error("usage: bun scripts/ui-fixture-home.ts DIR [--live] [--points 1000000]");
    process.exit(2);
  }
  const home = resolve(dir);
  const started = performance.now();
  const fixture = buildUiFixtureHome(home, {
    millionPoints: values.points ? Number(values.points) : 1_000_000,
  });
  console.log(
    `UI fixture home in ${home} (${((performance.now() - started) / 1000).toFixed(1)} s): goodseed serve ${join(home, "projects")}`,
  );
  console.log(`  compare: ?runs=${encodeURIComponent(fixture.sweep.slice(0, 3).join(","))}`);
  if (values.live) {
    console.log("  writing the live runs until interrupted");
    startLiveRuns(home);
  }
}
