/** `goodseed serve` as a user starts it: what it serves, where, and what it says. */

import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../helpers/server.ts";
import { compatHome, REPO_ROOT, tempDir } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

/** `goodseed serve ARGS`, killed when disposed; its output collected as it comes. */
function serve(args: string[], home: string) {
  const child = Bun.spawn(
    [process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), "serve", ...args],
    {
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, GOODSEED_HOME: home },
    },
  );
  const output = { stdout: "", stderr: "" };
  const collect = async (stream: ReadableStream<Uint8Array>, key: "stdout" | "stderr") => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) output[key] += decoder.decode(chunk, { stream: true });
  };
  const done = Promise.all([collect(child.stdout, "stdout"), collect(child.stderr, "stderr")]);
  return {
    child,
    output,
    /** The exit code, once the process has ended and its output is read. */
    async exited(): Promise<number> {
      const code = await child.exited;
      await done;
      return code;
    },
    async [Symbol.asyncDispose]() {
      child.kill("SIGKILL");
      await child.exited;
    },
  };
}

describe("goodseed serve", () => {
  it("refuses a directory that does not exist, and a file, as list does", async () => {
    await using dir = tempDir();
    const missing = join(dir.path, "no-such-dir");
    await using server = serve([missing, "--port", "0"], dir.path);
    expect(await server.exited()).toBe(1);
    expect(server.output.stderr).toContain(`projects directory does not exist: ${missing}`);
    expect(server.output.stdout).not.toContain("Open http");

    const file = join(dir.path, "runs.sqlite");
    writeFileSync(file, "");
    await using onFile = serve([file, "--port", "0"], dir.path);
    expect(await onFile.exited()).toBe(1);
    expect(onFile.output.stderr).toContain(`is not a directory: ${file}`);
  }, 60_000);

  it("blames the address, not the port, when it cannot listen on the host given", async () => {
    await using dir = tempDir();
    await using server = serve(["--host", "999.1.1.1", "--port", "0"], dir.path);
    expect(await server.exited()).toBe(1);
    expect(server.output.stderr).toContain("goodseed: could not listen on 999.1.1.1:0");
    expect(server.output.stderr).toContain("--host");
    expect(server.output.stderr).not.toContain("Pick another port");
  }, 60_000);

  it("starts on a home without runs yet, and says where runs will appear", async () => {
    await using dir = tempDir();
    const port = await freePort();
    await using server = serve(["--port", String(port)], dir.path);
    await waitFor(() => server.output.stdout.includes("Open http"), "the server's URL", 20_000);
    expect(server.output.stderr).toContain(
      `no runs yet: ${join(dir.path, "projects")} does not exist`,
    );
    const response = await fetch(`http://127.0.0.1:${port}/api/projects`);
    expect(await response.json()).toEqual({ projects: [] });
  }, 60_000);

  it("takes an IPv6 address with or without brackets and prints it bracketed once", async () => {
    await using compat = compatHome();
    for (const host of ["[::1]", "::1"]) {
      const port = await freePort();
      await using server = serve(
        [compat.projects, "--host", host, "--port", String(port)],
        compat.home,
      );
      await waitFor(() => server.output.stdout.includes("Open http"), "the server's URL", 20_000);
      expect(server.output.stdout).toContain(`Open http://[::1]:${port}/ `);
      // ::1 is loopback: no warning about being reachable from elsewhere.
      expect(server.output.stderr).not.toContain("no authentication");
      const response = await fetch(`http://[::1]:${port}/api/projects`);
      expect(response.status).toBe(200);
      server.child.kill("SIGKILL");
      await server.child.exited;
    }
  }, 60_000);

  it("bound to every address, warns and prints a URL a browser can open", async () => {
    await using compat = compatHome();
    const port = await freePort();
    await using server = serve(
      [compat.projects, "--host", "0.0.0.0", "--port", String(port)],
      compat.home,
    );
    await waitFor(() => server.output.stdout.includes("Open http"), "the server's URL", 20_000);
    expect(server.output.stdout).toContain(`Open http://127.0.0.1:${port}/ `);
    expect(server.output.stderr).toContain("no authentication");
    const response = await fetch(`http://127.0.0.1:${port}/api/projects`);
    expect(response.status).toBe(200);
  }, 60_000);
});
