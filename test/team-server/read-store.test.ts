/**
 * The storage seam's contract on the team server's database: the compat runs are
 * pushed in with `goodseed upload`, then the same cases as for the file catalog run on
 * a `DatabaseReadStore` seen through the uploading key.
 */

import { join } from "node:path";
import type { ReadStore } from "../../src/api/read-store.ts";
import { openDatabase } from "../../src/team-server/database.ts";
import { verifyKey } from "../../src/team-server/keys.ts";
import { DatabaseReadStore } from "../../src/team-server/read-store.ts";
import { RunSummaries } from "../../src/team-server/run-summaries.ts";
import { SeriesStore } from "../../src/team-server/series-store.ts";
import { readStoreContract } from "../api/read-store.contract.ts";
import { BACKENDS, keyFor, runUpload, teamServer, useTeamServers } from "../helpers/team-server.ts";

useTeamServers();

async function upload(home: string, base: string, key: string, project: string): Promise<void> {
  const { code, stderr } = await runUpload(home, base, key, project);
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
