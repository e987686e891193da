/**
 * The storage seam's contract on the team server's database: the compat runs are
 * pushed in with `goodseed upload`, then the same cases as for the file catalog run on
 * a `DatabaseReadStore` seen through the uploading key.
 */

import { join } from "node:path";
import type { ReadStore } from "../../src/api/read-store.ts";
import { openDatabase } from "../../src/team-server/database.ts";
import { verifyKey } from "../../src/team-server/keys.ts";
import { DatabaseReadStore, RunSummaries } from "../../src/team-server/read-store.ts";
import { SeriesStore } from "../../src/team-server/series-store.ts";
import { readStoreContract } from "../api/read-store.contract.ts";
import { BACKENDS, keyFor, teamServer, useTeamServers } from "../helpers/team-server.ts";
import { REPO_ROOT } from "../helpers/temp-dir.ts";

useTeamServers();

async function upload(home: string, base: string, key: string, project: string): Promise<void> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && !name.startsWith("GOODSEED_")) env[name] = value;
  const child = Bun.spawn(
    [process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), "upload", "-p", project],
    {
      env: { ...env, GOODSEED_HOME: home, GOODSEED_API_URL: base, GOODSEED_API_KEY: key },
      stdout: "ignore",
      stderr: "pipe",
    },
  );
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`goodseed upload failed: ${stderr}`);
}

for (const backend of BACKENDS) {
  readStoreContract(
    `team server database (${backend})`,
    async (projectsDir): Promise<ReadStore> => {
      const team = await teamServer(backend, { homeWorkspace: "default" });
      const key = await keyFor(team.databaseUrl, ["default", "acme"]);
      const home = join(projectsDir, "..");
      await upload(home, team.base, key, "acme/vision");
      await upload(home, team.base, key, "default");
      const db = await openDatabase(team.databaseUrl);
      const principal = await verifyKey(db, key);
      if (!principal) throw new Error("key not found");
      return new DatabaseReadStore({
        sql: db.sql,
        principal,
        home: "default",
        series: new SeriesStore(),
        summaries: new RunSummaries(),
        async onClose() {
          await db.close();
          await team.server.stop();
        },
      });
    },
  );
}
