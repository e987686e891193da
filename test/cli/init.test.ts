import { describe, expect, it } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { Run } from "../../src/index.ts";
import { KEY, scriptedContext } from "../helpers/cli-context.ts";
import { tempDir } from "../helpers/temp-dir.ts";

function configOf(home: string): Record<string, string> {
  return JSON.parse(readFileSync(join(home, "config.json"), "utf8"));
}

function fakeApi(status: number, body: unknown = { name: "acme" }) {
  const calls: { url: string; auth: string | null }[] = [];
  const fetcher = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), auth: new Headers(init?.headers).get("authorization") });
    return new Response(JSON.stringify(body), { status });
  }) as typeof fetch;
  return { calls, fetcher };
}

describe("goodseed init", () => {
  it("asks for the project and storage, and writes a 0600 config that Run reads", async () => {
    await using dir = tempDir();
    const context = scriptedContext({ home: dir.path, isTTY: true });
    const done = main(["init"], context);
    await context.type("Default project", `acme/vision${KEY.enter}`);
    await context.type("Where should runs be stored?", KEY.enter);
    expect(await done).toBe(0);
    expect(configOf(dir.path)).toEqual({ project: "acme/vision", storage: "local" });
    expect(statSync(join(dir.path, "config.json")).mode & 0o777).toBe(0o600);
    expect(context.out.join("")).toContain('import { Run } from "goodseed";');
    const run = new Run({
      goodseedHome: dir.path,
      captureStdout: false,
      captureStderr: false,
      captureHardwareMetrics: false,
    });
    expect(run.project).toBe("acme/vision");
    expect(run.file).toContain(join("projects", "acme", "vision"));
    await run.close();
  });

  it("takes what is typed as the answer, and the shown default on a bare Enter", async () => {
    await using dir = tempDir();
    const api = fakeApi(200);
    const context = scriptedContext({ home: dir.path, isTTY: true, fetch: api.fetcher });
    const done = main(["init"], context);
    // Typing replaces the default; it is not appended to it ("defaultacme/vision").
    await context.type("Default project", `acme/vision${KEY.enter}`);
    await context.type("Where should runs be stored?", `${KEY.down}${KEY.enter}`);
    await context.type("API URL", `http://127.0.0.1:9999${KEY.enter}`);
    await context.type("API key", `gsk_typed${KEY.enter}`);
    expect(await done).toBe(0);
    expect(configOf(dir.path)).toMatchObject({
      project: "acme/vision",
      apiUrl: "http://127.0.0.1:9999",
    });
    const again = scriptedContext({ home: dir.path, isTTY: true, fetch: api.fetcher });
    const second = main(["init"], again);
    await again.type("Default project", KEY.enter);
    await again.type("Where should runs be stored?", KEY.enter);
    await again.type("API URL", KEY.enter);
    await again.type("API key", `gsk_typed${KEY.enter}`);
    expect(await second).toBe(0);
    // A bare Enter keeps what the config file held.
    expect(configOf(dir.path)).toMatchObject({
      project: "acme/vision",
      apiUrl: "http://127.0.0.1:9999",
    });
  });

  it("keeps the saved API key on a bare Enter when run again", async () => {
    await using dir = tempDir();
    const api = fakeApi(200);
    const first = scriptedContext({ home: dir.path, isTTY: true, fetch: api.fetcher });
    const done = main(["init", "--project", "p", "--storage", "cloud"], first);
    await first.type("API URL", `http://127.0.0.1:9999${KEY.enter}`);
    await first.type("API key", `gsk_saved${KEY.enter}`);
    expect(await done).toBe(0);
    const again = scriptedContext({ home: dir.path, isTTY: true, fetch: api.fetcher });
    const second = main(["init", "--project", "q"], again);
    await again.type("Where should runs be stored?", KEY.enter);
    await again.type("API URL", KEY.enter);
    await again.type("Enter keeps the saved one", KEY.enter);
    expect(await second).toBe(0);
    expect(configOf(dir.path)).toEqual({
      project: "q",
      storage: "cloud",
      apiUrl: "http://127.0.0.1:9999",
      apiKey: "gsk_saved",
    });
    expect(again.screen()).not.toContain("gsk_saved");
  });

  it("asks for cloud details, masks the key and checks it against auth/me", async () => {
    await using dir = tempDir();
    const api = fakeApi(200);
    const context = scriptedContext({ home: dir.path, isTTY: true, fetch: api.fetcher });
    const done = main(["init", "--project", "p"], context);
    await context.type("Where should runs be stored?", `${KEY.down}${KEY.enter}`);
    await context.type("API URL", `http://127.0.0.1:9999${KEY.enter}`);
    await context.type("API key", `gsk_secret_value${KEY.enter}`);
    expect(await done).toBe(0);
    expect(configOf(dir.path)).toEqual({
      project: "p",
      storage: "cloud",
      apiUrl: "http://127.0.0.1:9999",
      apiKey: "gsk_secret_value",
    });
    expect(api.calls).toEqual([
      { url: "http://127.0.0.1:9999/api/v1/auth/me", auth: "Bearer gsk_secret_value" },
    ]);
    expect(context.screen()).not.toContain("gsk_secret_value");
    expect(context.screen()).toContain("workspace 'acme'");
  });

  it("asks again when the API refuses the key", async () => {
    await using dir = tempDir();
    let attempt = 0;
    const fetcher = (async () =>
      new Response("{}", { status: attempt++ === 0 ? 401 : 200 })) as unknown as typeof fetch;
    const context = scriptedContext({ home: dir.path, isTTY: true, fetch: fetcher });
    const done = main(
      ["init", "--project", "p", "--storage", "cloud", "--api-url", "http://127.0.0.1:1"],
      context,
    );
    await context.type("API key", `wrong${KEY.enter}`);
    await context.type("refused the key", `right${KEY.enter}`);
    expect(await done).toBe(0);
    expect(configOf(dir.path).apiKey).toBe("right");
  });

  it("leaves nothing written when cancelled with Ctrl-C", async () => {
    await using dir = tempDir();
    const context = scriptedContext({ home: dir.path, isTTY: true });
    const done = main(["init"], context);
    await context.type("Default project", KEY.enter);
    await context.type("Where should runs be stored?", KEY.ctrlC);
    expect(await done).toBe(1);
    expect(existsSync(join(dir.path, "config.json"))).toBe(false);
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it("never prompts without a terminal, and names the missing flags", async () => {
    await using dir = tempDir();
    const context = scriptedContext({ home: dir.path, isTTY: false });
    expect(await main(["init"], context)).toBe(2);
    expect(context.err.join("")).toContain("--project, --storage");
    expect(context.screen()).toBe("");
    const cloud = scriptedContext({ home: dir.path, isTTY: false });
    expect(await main(["init", "--project", "p", "--storage", "cloud"], cloud)).toBe(2);
    expect(cloud.err.join("")).toContain("--api-key");
    expect(existsSync(join(dir.path, "config.json"))).toBe(false);
  });

  it("works from flags alone, and with --yes takes the defaults", async () => {
    await using dir = tempDir();
    const api = fakeApi(200);
    const flags = scriptedContext({ home: dir.path, isTTY: false, fetch: api.fetcher });
    expect(
      await main(
        [
          "init",
          "--project",
          "team/p",
          "--storage",
          "cloud",
          "--api-key",
          "k",
          "--api-url",
          "http://127.0.0.1:5",
        ],
        flags,
      ),
    ).toBe(0);
    expect(configOf(dir.path)).toEqual({
      project: "team/p",
      storage: "cloud",
      apiUrl: "http://127.0.0.1:5",
      apiKey: "k",
    });

    await using fresh = tempDir();
    const yes = scriptedContext({ home: fresh.path, isTTY: true });
    expect(await main(["init", "--yes"], yes)).toBe(0);
    expect(configOf(fresh.path)).toEqual({ project: "default", storage: "local" });
    expect(yes.screen()).toBe("");
  });

  it("refuses a rejected key without a terminal, writing nothing, and bad flags with exit 2", async () => {
    await using dir = tempDir();
    const api = fakeApi(401);
    const context = scriptedContext({ home: dir.path, isTTY: false, fetch: api.fetcher });
    expect(
      await main(["init", "--project", "p", "--storage", "cloud", "--api-key", "bad"], context),
    ).toBe(1);
    expect(context.err.join("")).toContain("refused the key");
    expect(existsSync(join(dir.path, "config.json"))).toBe(false);
    for (const args of [
      ["init", "--storage", "s3", "--project", "p"],
      ["init", "--project", "../x", "--storage", "local"],
      ["init", "--api-url", "ftp://x", "--yes"],
    ]) {
      expect(await main(args, scriptedContext({ home: dir.path, isTTY: false }))).toBe(2);
    }
  });
});
