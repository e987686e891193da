/**
 * Whether the writers of `running` runs are alive, as `/api/liveness` answers: the
 * runs API keeps the Python server's `status` ("running" for a run whose process was
 * killed), so the page asks about its running runs on each live refresh, in one
 * request, and shows a dead one as "crashed", its duration frozen at its last sign of
 * life and the reason on hover.
 */

import type { LivenessEntry } from "../api/batch-wire.ts";
import type { RunSummary } from "../api/wire.ts";
import { runKey } from "./chart-run.ts";

export interface DeadWriter {
  readonly reason: string;
  /** When the run last showed life (Unix ms): where its duration stops. */
  readonly lastSeenMs: number;
}

/** Runs per request: well within a URL's length. */
const RUNS_PER_REQUEST = 100;

/** Dead writers of running runs, by run key, as last answered. */
const dead = new Map<string, DeadWriter>();

/** The dead writer of a `running` run, if the server said its writer is gone. */
export function deadWriter(run: RunSummary): DeadWriter | undefined {
  return run.status === "running" ? dead.get(runKey(run)) : undefined;
}

/** The status the page shows: "crashed" for a running run whose writer is gone. */
export function shownStatus(run: RunSummary): string {
  return deadWriter(run) ? "crashed" : run.status;
}

/** Asks the server about these runs (`project/runId` each). */
export type AskLiveness = (runs: string[]) => Promise<LivenessEntry[]>;

/**
 * Asks about `runs` (the running ones) and keeps the answer; true when what the page
 * shows changed. A server without the route (an older one) leaves every run as it is.
 */
export async function checkLiveness(
  ask: AskLiveness,
  runs: readonly RunSummary[],
): Promise<boolean> {
  const keys = runs.map((run) => `${run.project}/${run.run_id}`);
  const answers: LivenessEntry[] = [];
  try {
    for (let i = 0; i < keys.length; i += RUNS_PER_REQUEST)
      answers.push(...(await ask(keys.slice(i, i + RUNS_PER_REQUEST))));
  } catch {
    return false;
  }
  const before = [...dead.keys()].sort().join("|");
  const kept = new Map(dead);
  dead.clear();
  for (const entry of answers) {
    if ("error" in entry || entry.state !== "dead") continue;
    const key = runKey(entry);
    const seen = entry.last_seen === null ? Number.NaN : Date.parse(entry.last_seen);
    dead.set(key, {
      reason: entry.reason,
      // Undated: frozen where the page first learnt of it.
      lastSeenMs: Number.isFinite(seen) ? seen : (kept.get(key)?.lastSeenMs ?? Date.now()),
    });
  }
  return [...dead.keys()].sort().join("|") !== before;
}
