import { describe, expect, it } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnScript } from "../helpers/scripts.ts";
import { serveProcess } from "../helpers/server.ts";
import { compatHome, FIXTURES, tempDir } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

describe("goodseed serve on a real port", () => {
  it("passes the recorded requests of the Python server (check_server.py)", async () => {
    const python = Bun.which("python3");
    if (!python) return;
    await using compat = compatHome();
    await using server = await serveProcess(compat.projects);
    const check = Bun.spawn(
      [
        python,
        join(FIXTURES, "check_server.py"),
        server.base,
        join(FIXTURES, "requests.json"),
        "--projects-dir",
        compat.projects,
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    const output = await new Response(check.stdout as ReadableStream<Uint8Array>).text();
    await check.exited;
    expect(output.trim().split("\n").pop()).toMatch(/^\d+ passed, 0 failed$/);
    expect(check.exitCode).toBe(0);
  });

  it("binds 127.0.0.1 only and prints the URL to open", async () => {
    await using compat = compatHome();
    await using server = await serveProcess(compat.projects);
    const reader = server.child.stdout.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain(`Open ${server.base}/`);
    const response = await fetch(`${server.base}/api/runs`);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(((await response.json()) as { runs: unknown[] }).runs).toHaveLength(8);
    // The listening socket is bound to 127.0.0.1 (0100007F in /proc/net/tcp), not to every address.
    if (existsSync("/proc/net/tcp")) {
      const port = Number(new URL(server.base).port).toString(16).toUpperCase().padStart(4, "0");
      const listening = readFileSync("/proc/net/tcp", "utf8")
        .split("\n")
        .map((line) => line.trim().split(/\s+/))
        .filter((fields) => fields[1]?.endsWith(`:${port}`) && fields[3] === "0A");
      expect(listening.map((fields) => fields[1])).toEqual([`0100007F:${port}`]);
    }
  });

  it("warns when told to listen beyond loopback", async () => {
    await using compat = compatHome();
    // 127.0.0.2 is still loopback, but not the default address: enough to see the warning.
    await using server = await serveProcess(compat.projects, ["--host", "127.0.0.2"]);
    const reader = server.child.stderr.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain("no authentication");
  });

  it("shows a run that another process is writing, with growing point counts", async () => {
    await using dir = tempDir();
    const writer = spawnScript(
      `const run = new Run({ project: "live", runId: "growing", captureStdout: false, captureStderr: false, captureHardwareMetrics: false });
let step = 0;
setInterval(() => { for (let i = 0; i < 50; i++) run.log("train/loss", 1 / (step + 1), { step: step++ }); }, 20);
setTimeout(() => process.exit(0), 20000);`,
      { home: dir.path },
    );
    try {
      await waitFor(
        () => Bun.file(join(dir.path, "projects/live/runs/growing.sqlite")).exists(),
        "the run file",
      );
      await using server = await serveProcess(join(dir.path, "projects"));
      const counts: number[] = [];
      await waitFor(async () => {
        const response = await fetch(
          `${server.base}/api/runs/live/growing/metrics?path=train/loss&pointCount=10`,
        );
        const body = (await response.json()) as { totalCount?: number };
        // The file is there before the series' first points (then the answer is an error).
        if (typeof body.totalCount !== "number") return false;
        if (counts.length === 0 || body.totalCount !== counts[counts.length - 1])
          counts.push(body.totalCount);
        return counts.length >= 4;
      }, "four growing point counts");
      for (let i = 1; i < counts.length; i++)
        expect(counts[i] as number).toBeGreaterThan(counts[i - 1] as number);
      const runs = (await (await fetch(`${server.base}/api/runs`)).json()) as {
        runs: { status: string; metric_paths: string[] }[];
      };
      expect(runs.runs[0]).toMatchObject({ status: "running", metric_paths: ["train/loss"] });
    } finally {
      writer.kill();
      await writer.exited;
      writer.cleanup();
    }
  });
});
