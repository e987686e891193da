/**
 * A logger is the user's code: one that lacks a method (a JavaScript caller's
 * `{ warn }`) or throws must not end the training that it was only told about. Here the
 * API key is revoked mid-run, so the upload reports an error through the logger.
 */

import { describe, expect, it } from "bun:test";
import { openDatabase } from "../../src/team-server/database.ts";
import { revokeKey } from "../../src/team-server/keys.ts";
import { spawnScript } from "../helpers/scripts.ts";
import { keyFor, teamServer, useTeamServers } from "../helpers/team-server.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

useTeamServers();

const TRAINING = (logger: string) => `
const run = new Run({
  project: "acme/vision",
  storage: "cloud",
  captureStdout: false,
  captureHardwareMetrics: false,
  logger: ${logger},
});
run.log("loss", 1, { step: 0 });
await run.wait({ timeoutMs: 10_000 });
console.log("ready");
// Training goes on while the upload finds the key revoked and reports it.
for (let step = 1; step <= 40; step++) {
  run.log("loss", 1 / step, { step });
  run.sync();
  await Bun.sleep(50);
}
await run.close().catch(() => {});
console.log("survived", run.get("sys/state") ?? "");
`;

describe("a faulty logger", () => {
  for (const [label, logger] of [
    ["without an error method", "{ warn: () => {} }"],
    [
      "that throws",
      "{ warn() { throw new Error('logger broke'); }, error() { throw new Error('logger broke'); } }",
    ],
  ] as const) {
    it(`${label} does not end the training it reports on`, async () => {
      await using home = tempDir();
      await using team = await teamServer("sqlite");
      const key = await keyFor(team.databaseUrl, ["acme"], "member");
      const child = spawnScript(TRAINING(logger), {
        home: home.path,
        env: {
          GOODSEED_STORAGE: "cloud",
          GOODSEED_API_URL: team.base,
          GOODSEED_API_KEY: key,
          GOODSEED_RETRY_BASE_MS: "1",
        },
      });
      try {
        let stdout = "";
        const reading = (async () => {
          for await (const chunk of child.stdout) stdout += new TextDecoder().decode(chunk);
        })();
        await waitFor(() => stdout.includes("ready"), "the run's first upload");
        const db = await openDatabase(team.databaseUrl);
        try {
          expect(await revokeKey(db, key)).toBe(true);
        } finally {
          await db.close();
        }
        const stderr = await new Response(child.stderr).text();
        await reading;
        expect({ code: await child.exited, stderr }).toEqual({ code: 0, stderr: "" });
        expect(stdout).toContain("survived");
      } finally {
        child.kill("SIGKILL");
        child.cleanup();
      }
    }, 60_000);
  }
});
