/**
 * The metrics the sweep views offer and the one they start with. Per-process metrics
 * (a process's hardware metrics `monitoring/<id>/cpu`, `gpu_0`, …, which the System
 * charts gather, and the keys the table hides) belong to one process of one run, so
 * they are offered only when the "Show process and source keys" switch is on; the
 * views start on a validation loss or accuracy rather than on nothing. Pure.
 */

import { systemChart } from "./chart-specs.ts";
import { isInternalKey } from "./table-columns.ts";

/** Whether a metric path is per-process detail: hidden from the sweep views unless asked for. */
export function isProcessMetric(path: string): boolean {
  return systemChart(path) !== undefined || isInternalKey(path);
}

/**
 * The metric paths to offer: without per-process ones unless `internals`; `chosen`
 * (the one in the URL) stays, so that the menu shows what is drawn.
 */
export function sweepMetricPaths(
  paths: readonly string[],
  internals: boolean,
  chosen = "",
): string[] {
  return paths.filter((path) => internals || path === chosen || !isProcessMetric(path));
}

/** Segments that name a held-out split. */
const VALIDATION = /^(val|valid|validation|eval|evaluation|dev|test)([_-].*)?$/i;

/** Segments that name the training split. */
const TRAINING = /^(train|training)([_-].*)?$/i;

/** How good a default `path` makes: lower is better; validation loss first. */
function rank(path: string): number {
  const segments = path.toLowerCase().split("/");
  const last = segments[segments.length - 1] ?? "";
  const held = segments.some((segment) => VALIDATION.test(segment)) || /^val_/.test(last);
  const loss = last.includes("loss");
  const accuracy = last.includes("acc");
  if (held && loss) return 0;
  if (held && accuracy) return 1;
  if (held) return 2;
  if (loss) return 3;
  if (accuracy) return 4;
  return segments.some((segment) => TRAINING.test(segment)) ? 5 : 6;
}

/**
 * The metric the sweep views start on when the URL names none: a validation loss,
 * else a validation accuracy, else any validation metric, else a loss, else an
 * accuracy, else the first training metric, else the first path (per-process ones
 * never). `undefined` when there is no metric at all.
 *
 * @example defaultMetric(["grad/norm", "train/loss", "val/acc", "val/loss"]) // "val/loss"
 */
export function defaultMetric(paths: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestRank = Number.POSITIVE_INFINITY;
  for (const path of paths) {
    if (isProcessMetric(path)) continue;
    const r = rank(path);
    // Ties go to the first path (the list is sorted: `val/loss` before `val/loss_ema`).
    if (r < bestRank) {
      best = path;
      bestRank = r;
    }
  }
  return best;
}
