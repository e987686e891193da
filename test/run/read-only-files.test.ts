/**
 * A run opened with `readOnly: true` leaves the file as it found it, and reads a file
 * where it cannot create SQLite's side files (a read-only disk, an archive).
 */

import { describe, expect, it } from "bun:test";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { MetricData } from "../../src/index.ts";
import { localRun } from "../helpers/runs.ts";
import { tempDir } from "../helpers/temp-dir.ts";

function ys(data: MetricData): number[] {
  if (data.downsampled) throw new Error("expected raw points");
  return data.rawPoints.map((point) => point.y);
}

async function finishedRun(home: string): Promise<string> {
  const run = localRun(home, { project: "p", runId: "r1", name: "kept" });
  run.log("loss", 0.5, { step: 0 });
  run.log("loss", 0.25, { step: 1 });
  await run.close();
  return join(home, "projects", "p", "runs");
}

describe("readOnly runs on disk", () => {
  it("leave no -wal or -shm beside a finished run once closed", async () => {
    await using home = tempDir();
    const runs = await finishedRun(home.path);
    expect(readdirSync(runs)).toEqual(["r1.sqlite"]);
    const reader = localRun(home.path, { project: "p", runId: "r1", readOnly: true });
    expect(ys(await reader.getMetricData("loss"))).toEqual([0.5, 0.25]);
    await reader.close();
    expect(readdirSync(runs)).toEqual(["r1.sqlite"]);
  });

  it("read a run whose side files cannot be created, as on a read-only disk", async () => {
    await using home = tempDir();
    const runs = await finishedRun(home.path);
    // Directories in the way of r1.sqlite-wal and -shm: SQLite cannot create them, as on a
    // read-only mount (where even root cannot; chmod would not stop root).
    mkdirSync(join(runs, "r1.sqlite-wal"));
    mkdirSync(join(runs, "r1.sqlite-shm"));
    const reader = localRun(home.path, { project: "p", runId: "r1", readOnly: true });
    expect(reader.name).toBe("kept");
    expect(await reader.getMetricPaths()).toEqual(["loss"]);
    expect(ys(await reader.getMetricData("loss"))).toEqual([0.5, 0.25]);
    expect(reader.get("sys/name")).toBe("kept");
    await reader.close();
  });
});
