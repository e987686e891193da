/**
 * One cycle of a run's upload: the configs and points of the file not yet marked
 * uploaded, sent in batches (FORMAT.md §12) and each batch marked only once the API
 * confirmed it. Points are read on from a cursor per kind, so a cycle never re-scans
 * what an earlier one sent.
 */

import type { Database } from "bun:sqlite";
import type { ApiClient, Outcome } from "./api-client.ts";
import {
  configsBody,
  MAX_CONFIGS_PER_REQUEST,
  MAX_POINTS_PER_READ,
  markConfigs,
  markPoints,
  type PointKind,
  pointBodies,
  readConfigs,
  readPoints,
} from "./upload-batches.ts";

/** What a cycle did: how many items it sent, and whether a full read says more may be waiting. */
export interface CycleResult {
  readonly more: boolean;
  readonly sent: number;
}

export class UploadCycle {
  readonly #cursors: Record<PointKind, number> = { metric: 0, string: 0 };

  /**
   * Sends what `db` holds unsent to the remote run `remoteId`; `confirmed` hears of each
   * batch the API confirmed. Ends at the first batch the API did not take.
   */
  async run(
    api: ApiClient,
    db: Database,
    remoteId: string,
    confirmed: (items: number) => void,
  ): Promise<Outcome<CycleResult>> {
    const base = `/api/v1/runs/${encodeURIComponent(remoteId)}`;
    let sent = 0;
    const configs = readConfigs(db);
    for (let start = 0; start < configs.length; start += MAX_CONFIGS_PER_REQUEST) {
      const rows = configs.slice(start, start + MAX_CONFIGS_PER_REQUEST);
      const answer = await api.request("POST", `${base}/configs`, {
        body: configsBody(rows),
        gzip: true,
      });
      if (answer.kind !== "ok") return answer;
      markConfigs(db, rows);
      confirmed(rows.length);
      sent += rows.length;
    }
    let more = false;
    for (const kind of ["metric", "string"] as const) {
      const rows = readPoints(db, kind, this.#cursors[kind]);
      for (const batch of pointBodies(kind, rows)) {
        const answer = await api.request("POST", `${base}/ingest`, {
          body: batch.body,
          gzip: true,
        });
        if (answer.kind !== "ok") return answer;
        markPoints(db, kind, batch.rows);
        this.#cursors[kind] = (batch.rows[batch.rows.length - 1] as { rowid: number }).rowid;
        confirmed(batch.rows.length);
        sent += batch.rows.length;
      }
      if (rows.length === MAX_POINTS_PER_READ) more = true;
    }
    return { kind: "ok", status: 200, body: { more, sent } };
  }
}
