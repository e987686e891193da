/**
 * What the chart modules need to know of a run and of a series answer: the API's
 * RunSummary and DownsampledSeries have all of it, and these pure modules stay free of
 * the page's API client (so they are tested and timed alone).
 */

export interface ChartRun {
  project: string;
  run_id: string;
  experiment_name: string | null;
  created_at: string | null;
  status: string;
  metric_paths: string[];
}

/** One point of `GET …/metrics?pointCount=` (FORMAT.md): non-finite values as strings. */
export interface SeriesPoint {
  step: number;
  value: number | string;
  minY?: number | string;
  maxY?: number | string;
  downsampled?: boolean;
  logged_at: string;
}

export interface SeriesAnswer {
  points: SeriesPoint[];
  firstPointIndex: number;
  lastPointIndex: number;
  totalCount: number;
  downsampled: boolean;
}
