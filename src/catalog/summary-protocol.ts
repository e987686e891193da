/** Messages to and from the summary Worker. */

import type { RunSummary } from "./run-summary.ts";

export interface SummaryRequest {
  readonly id: number;
  readonly runs: { file: string; project: string; stem: string; key: string }[];
}

export interface SummaryReply {
  readonly id: number;
  /** The runs that could be read, each with the version key it was asked for. */
  readonly read: { file: string; key: string; summary: RunSummary }[];
}
