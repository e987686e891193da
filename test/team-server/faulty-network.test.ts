/**
 * Nothing lost, nothing twice, over a bad network: `goodseed upload` through a proxy
 * that lets the server commit but drops every other answer (the client resends), and
 * through one that delivers every request a second time, late, after newer ones. The
 * runs then read back byte for byte as `goodseed serve` reads their files.
 */

import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { FileReadStore } from "../../src/catalog/file-read-store.ts";
import { closeApp, createApp } from "../../src/server/app.ts";
import { BACKENDS, keyFor, runUpload, teamServer, useTeamServers } from "../helpers/team-server.ts";
import { compatHome, FIXTURES } from "../helpers/temp-dir.ts";

useTeamServers();

type Fault = "drop" | "duplicate";

/** A proxy on a free port (node:http, so that it can drop a connection without answering). */
async function faultyProxy(target: string, fault: Fault) {
  let writes = 0;
  const late: Promise<unknown>[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = request.method === "POST" ? Buffer.concat(chunks) : undefined;
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers))
      if (typeof value === "string" && name !== "host" && name !== "content-length")
        headers.set(name, value);
    const forward = () =>
      fetch(`${target}${request.url}`, { method: request.method ?? "GET", headers, body });
    const answer = await forward();
    const bytes = Buffer.from(await answer.arrayBuffer());
    const isWrite =
      request.method === "POST" && /\/(ingest|configs|status)$/.test(request.url ?? "");
    if (isWrite && fault === "drop" && writes++ % 2 === 0) {
      // The server has committed; the client never hears of it.
      request.socket.destroy();
      return;
    }
    if (isWrite && fault === "duplicate") late.push(Bun.sleep(300).then(forward));
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    settled: () => Promise.all(late),
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function upload(home: string, base: string, key: string, project: string): Promise<number> {
  return (await runUpload(home, base, key, project)).code;
}

const recorded = (
  JSON.parse(readFileSync(join(FIXTURES, "requests.json"), "utf8")).requests as {
    method: string;
    url: string;
  }[]
).filter((request) => request.method === "GET" && request.url.startsWith("/api/runs/acme/vision/"));

for (const backend of BACKENDS) {
  for (const fault of ["drop", "duplicate"] as const) {
    describe(`uploads through a network that ${fault === "drop" ? "drops answers" : "duplicates and reorders requests"} (${backend})`, () => {
      it("leave exactly the runs' data", async () => {
        await using team = await teamServer(backend, { homeWorkspace: "default" });
        const key = await keyFor(team.databaseUrl, ["acme"]);
        await using scratch = compatHome();
        await using proxy = await faultyProxy(team.base, fault);
        expect(await upload(scratch.home, proxy.base, key, "acme/vision")).toBe(0);
        await proxy.settled();
        const local = createApp({ store: new FileReadStore({ projectsDir: scratch.projects }) });
        const differences: string[] = [];
        for (const request of recorded) {
          const ours = await (
            await fetch(`${team.base}${request.url}`, {
              headers: { authorization: `Bearer ${key}` },
            })
          ).text();
          const theirs = await (
            await local.handle(new Request(`http://localhost${request.url}`))
          ).text();
          if (ours !== theirs)
            differences.push(`${request.url}: ${ours.slice(0, 150)} <> ${theirs.slice(0, 150)}`);
        }
        await closeApp(local);
        expect(differences).toEqual([]);
      }, 180_000);
    });
  }
}
