/**
 * The Python client's runs, pushed with `goodseed upload`, read back through the team
 * server's JSON API exactly as `goodseed serve` reads the files: `check_server.py`
 * passes against it. Python's checker sends no key, so a loopback proxy adds the
 * Bearer header a signed-in browser would send.
 */

import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FileReadStore } from "../../src/catalog/file-read-store.ts";
import { closeApp, createApp } from "../../src/server/app.ts";
import { BACKENDS, keyFor, runUpload, teamServer, useTeamServers } from "../helpers/team-server.ts";
import { compatHome, FIXTURES } from "../helpers/temp-dir.ts";

useTeamServers();

async function upload(home: string, base: string, key: string, project: string): Promise<string> {
  const { code, stdout, stderr: err } = await runUpload(home, base, key, project);
  expect({ code, err }).toEqual({ code: 0, err: "" });
  return stdout;
}

/** A proxy on a free port that adds `Authorization: Bearer key` to every request. */
export function authProxy(target: string, key: string) {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const headers = new Headers(request.headers);
      headers.set("authorization", `Bearer ${key}`);
      const raw = request.url.slice(request.url.indexOf("/", url.protocol.length + 2));
      const response = await fetch(`${target}${raw}`, {
        method: request.method,
        headers,
        body:
          request.method === "GET" || request.method === "HEAD"
            ? undefined
            : await request.arrayBuffer(),
      });
      // fetch hands over the body decoded: pass it on without the encoding it no longer has.
      const answer = new Headers(response.headers);
      answer.delete("content-encoding");
      answer.delete("content-length");
      return new Response(response.body, { status: response.status, headers: answer });
    },
  });
  return {
    base: `http://127.0.0.1:${server.port}`,
    [Symbol.asyncDispose]: () => server.stop(true),
  };
}

for (const backend of BACKENDS) {
  describe(`goodseed upload of the compat runs (${backend})`, () => {
    it("serves them as goodseed serve does (check_server.py passes)", async () => {
      await using team = await teamServer(backend, { homeWorkspace: "default" });
      const key = await keyFor(team.databaseUrl, ["default", "acme"]);
      await using scratch = compatHome();
      await upload(scratch.home, team.base, key, "acme/vision");
      await upload(scratch.home, team.base, key, "default");
      await using proxy = authProxy(team.base, key);
      // Byte for byte what `goodseed serve` answers on the files, for every read but the
      // project list (whose last_modified is a file time there and an upload time here).
      const local = createApp({ store: new FileReadStore({ projectsDir: scratch.projects }) });
      const recorded = JSON.parse(readFileSync(join(FIXTURES, "requests.json"), "utf8"))
        .requests as { id: string; method: string; url: string }[];
      const differences: string[] = [];
      for (const request of recorded) {
        if (request.method !== "GET" || request.url === "/api/projects") continue;
        const ours = await (await fetch(`${proxy.base}${request.url}`)).text();
        const theirs = await (
          await local.handle(new Request(`http://localhost${request.url}`))
        ).text();
        if (ours !== theirs)
          differences.push(`${request.id}: ${ours.slice(0, 200)} <> ${theirs.slice(0, 200)}`);
      }
      await closeApp(local);
      expect(differences).toEqual([]);
      const check = Bun.spawn(
        ["python3", join(FIXTURES, "check_server.py"), proxy.base, join(FIXTURES, "requests.json")],
        {
          stdout: "pipe",
          stderr: "pipe",
        },
      );
      const [out, err] = await Promise.all([
        new Response(check.stdout).text(),
        new Response(check.stderr).text(),
      ]);
      await check.exited;
      expect(`${out}${err}`).toMatch(/\b\d+ passed, 0 failed/);
    }, 180_000);
  });
}
