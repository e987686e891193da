/**
 * Metric points on their way into SQLite: staged, then written grouped by series with
 * multi-row INSERTs. With several series interleaved (logMetrics), inserting each
 * series' points together keeps the primary-key index writes sequential, which is
 * faster and packs pages denser; one statement per 64 points is about twice as fast
 * as one per point.
 */

import type { Database, Statement } from "bun:sqlite";

/** Rows per multi-row INSERT. */
const BATCH = 64;
/** Points held before they are written. */
export const STAGE = 16_384;

type Binding = number | string;

const INSERT = "INSERT OR REPLACE INTO metric_points (series_id, step, y, ts, uploaded) VALUES ";

export class MetricStage {
  // The columns are public so the sink's hot loop can fill them without a call per point.
  readonly series = new Int32Array(STAGE);
  readonly steps = new Float64Array(STAGE);
  readonly ys = new Float64Array(STAGE);
  readonly ts = new Float64Array(STAGE);
  count = 0;
  /** More than one series is staged: the flush groups them. */
  mixed = false;
  readonly #order = new Int32Array(STAGE);
  readonly #batch: Binding[] = new Array(BATCH * 4);
  readonly #insertOne: Statement;
  readonly #insertBatch: Statement;

  constructor(db: Database) {
    this.#insertOne = db.query(`${INSERT}(?, ?, ?, ?, 0)`);
    this.#insertBatch = db.query(INSERT + new Array(BATCH).fill("(?, ?, ?, ?, 0)").join(", "));
  }

  /** Stages one point; writes the stage out when it is full. */
  push(seriesId: number, step: number, y: number, ts: number): void {
    const at = this.count;
    if (at > 0 && this.series[at - 1] !== seriesId) this.mixed = true;
    this.series[at] = seriesId;
    this.steps[at] = step;
    this.ys[at] = y;
    this.ts[at] = ts;
    this.count = at + 1;
    if (this.count === STAGE) this.flush();
  }

  /** Writes the staged points (a stable grouping keeps each series' order, so the last write wins). */
  flush(): void {
    const count = this.count;
    if (count === 0) return;
    const order = this.#order;
    if (this.mixed) groupBySeries(this.series, count, order);
    else for (let i = 0; i < count; i++) order[i] = i;
    const batch = this.#batch;
    let rows = 0;
    for (let i = 0; i < count; i++) {
      const row = order[i] as number;
      const base = rows * 4;
      const y = this.ys[row] as number;
      batch[base] = this.series[row] as number;
      batch[base + 1] = this.steps[row] as number;
      // NaN cannot be a REAL in SQLite (it would become NULL): it is stored as the TEXT 'NaN'.
      batch[base + 2] = Number.isNaN(y) ? "NaN" : y;
      batch[base + 3] = this.ts[row] as number;
      if (++rows === BATCH) {
        this.#insertBatch.run(batch);
        rows = 0;
      }
    }
    for (let row = 0; row < rows; row++) {
      const base = row * 4;
      this.#insertOne.run(batch[base], batch[base + 1], batch[base + 2], batch[base + 3]);
    }
    this.discard();
  }

  /** Forgets the staged points (after a rollback, which replays them from the ring). */
  discard(): void {
    this.count = 0;
    this.mixed = false;
  }
}

/** Fills `order[0..count)` with row indexes grouped by series id, each group in row order. */
function groupBySeries(series: Int32Array, count: number, order: Int32Array): void {
  const starts = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const id = series[i] as number;
    starts.set(id, (starts.get(id) ?? 0) + 1);
  }
  let offset = 0;
  for (const [id, n] of [...starts].sort((x, y) => x[0] - y[0])) {
    starts.set(id, offset);
    offset += n;
  }
  for (let i = 0; i < count; i++) {
    const id = series[i] as number;
    const at = starts.get(id) as number;
    order[at] = i;
    starts.set(id, at + 1);
  }
}
