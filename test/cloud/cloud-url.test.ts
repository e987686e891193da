import { describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { runScript } from "../helpers/scripts.ts";
import { REPO_ROOT, tempDir } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const QUIET = "captureStdout: false, captureStderr: false, captureHardwareMetrics: false";

describe("the cloud API URL", () => {
  it("a malformed URL fails new Run() at once with a clear error, creating nothing", async () => {
    await using dir = tempDir();
    const started = Date.now();
    const result = await runScript(
      `try {
  new Run({ project: "acme/vision", runId: "r", storage: "cloud", apiKey: "k", ${QUIET} });
  console.log("opened");
} catch (error) {
  console.log(JSON.stringify({ name: error.name, message: error.message }));
}`,
      { home: dir.path, env: { GOODSEED_API_URL: "notaurl" } },
    );
    const outcome = JSON.parse(result.stdout.trim().split("\n").at(-1) as string);
    expect(outcome.name).toBe("InvalidOptionError");
    expect(outcome.message).toContain("notaurl");
    expect(outcome.message).toContain("GOODSEED_API_URL");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(existsSync(join(dir.path, "projects/acme/vision/runs/r.sqlite"))).toBe(false);
  });

  it("goodseed upload with a malformed URL fails at once, naming it", async () => {
    await using dir = tempDir();
    const started = Date.now();
    const upload = Bun.spawnSync(
      [process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), "upload", "-p", "acme/vision"],
      {
        env: {
          ...process.env,
          GOODSEED_HOME: dir.path,
          GOODSEED_API_URL: "notaurl",
          GOODSEED_API_KEY: "k",
        },
      },
    );
    expect(upload.exitCode).not.toBe(0);
    expect(upload.stderr.toString()).toContain("notaurl");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("an unreachable API is reported through the logger, and close() returns after its bound naming goodseed upload", async () => {
    await using dir = tempDir();
    const port = await closedPort();
    const result = await runScript(
      `const messages = [];
const logger = { warn: (m) => messages.push("warn: " + m), error: (m) => messages.push("error: " + m) };
const run = new Run({ project: "acme/vision", runId: "offline", storage: "cloud", apiKey: "k", logger, ${QUIET} });
for (let step = 0; step < 100; step++) run.log("m", step, { step });
await Bun.sleep(1500);
const t0 = performance.now();
await run.close();
console.log(JSON.stringify({ closeMs: performance.now() - t0, messages }));`,
      {
        home: dir.path,
        env: {
          GOODSEED_API_URL: `http://127.0.0.1:${port}`,
          GOODSEED_CLOSE_UPLOAD_TIMEOUT_MS: "2000",
        },
        timeoutMs: 60_000,
      },
    );
    const outcome = JSON.parse(result.stdout.trim().split("\n").at(-1) as string);
    expect(outcome.closeMs).toBeLessThan(10_000);
    const text = (outcome.messages as string[]).join("\n");
    expect(text).toContain(`127.0.0.1:${port}`);
    expect(text).toContain("retrying");
    expect(text).toContain("goodseed upload -p acme/vision --run-id offline");
    expect(result.exitCode).toBe(0);
  }, 60_000);

  it("goodseed upload of a project without a workspace names the API it could not ask for one", async () => {
    await using dir = tempDir();
    const port = await closedPort();
    const writer = await runScript(
      `const run = new Run({ project: "vision", runId: "pending", ${QUIET} });
run.log("m", 1, { step: 0 });
await run.close();`,
      { home: dir.path },
    );
    expect(writer.exitCode).toBe(0);
    const upload = Bun.spawnSync(
      [process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), "upload", "-p", "vision"],
      {
        env: {
          ...process.env,
          GOODSEED_HOME: dir.path,
          GOODSEED_API_URL: `http://127.0.0.1:${port}`,
          GOODSEED_API_KEY: "k",
        },
      },
    );
    expect(upload.exitCode).toBe(1);
    const stderr = upload.stderr.toString();
    expect(stderr).toContain(`default workspace at http://127.0.0.1:${port}`);
    expect(stderr).toContain("-p my-team/vision");
  }, 30_000);

  it("goodseed upload reports an unreachable API while it retries", async () => {
    await using dir = tempDir();
    const port = await closedPort();
    const writer = await runScript(
      `const run = new Run({ project: "acme/vision", runId: "pending", ${QUIET} });
run.log("m", 1, { step: 0 });
await run.close();`,
      { home: dir.path },
    );
    expect(writer.exitCode).toBe(0);
    const upload = Bun.spawn(
      [process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), "upload", "-p", "acme/vision"],
      {
        env: {
          ...process.env,
          GOODSEED_HOME: dir.path,
          GOODSEED_API_URL: `http://127.0.0.1:${port}`,
          GOODSEED_API_KEY: "k",
        },
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    try {
      const reader = upload.stderr.getReader();
      let stderr = "";
      await waitFor(
        async () => {
          const { value, done } = await reader.read();
          if (value) stderr += new TextDecoder().decode(value);
          return stderr.includes("retrying") || done;
        },
        "a retry warning",
        10_000,
      );
      expect(stderr).toContain(`127.0.0.1:${port}`);
      expect(stderr).toContain("retrying");
    } finally {
      upload.kill("SIGKILL");
      await upload.exited;
    }
  }, 30_000);
});
