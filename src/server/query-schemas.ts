/**
 * The query parameters of the routes, as `t` schemas whose error texts are the 400
 * answers of FORMAT.md §11. Values arrive as text (decoded as the Python server
 * does: `url-decoding.ts`); integers are checked here and converted by the route.
 * The schemas name exactly the parameters of the shared route table (`wire.ts`).
 */

import type { Static, TObject } from "@sinclair/typebox";
import { t } from "elysia";
import type { ApiRoutes } from "../api/api-routes.ts";
import type {
  ConfigsBatchQuery,
  SeriesBatchQuery,
  LivenessQuery as WireLivenessQuery,
} from "../api/batch-wire.ts";
import type { StringSeriesQuery, MetricsQuery as WireMetricsQuery } from "../api/wire.ts";
import { HttpError } from "./http-error.ts";

/** Python's `int()` as the API accepts it: ASCII digits with an optional sign. */
const INTEGER = "^[+-]?[0-9]+$";

const integer = (error: string) => t.Optional(t.String({ pattern: INTEGER, error }));

export const RunsQuery = t.Object({ project: t.Optional(t.String()) });

/** The run of a per-run route, from the whole percent-decoded path. */
export const RunParams = t.Object({ project: t.String(), run: t.String() });

/**
 * `/metrics`: without `pointCount` the raw points, and then no other parameter is
 * read; with it, `path` is required (checked first, see `metricsQuery`).
 */
export const MetricsQuery = t.Object({
  path: t.Optional(t.String()),
  pointCount: integer("pointCount must be an integer"),
  firstPointIndex: integer("firstPointIndex and lastPointIndex must be integers"),
  lastPointIndex: integer("firstPointIndex and lastPointIndex must be integers"),
});

export const StringsQuery = t.Object({
  path: t.Optional(t.String()),
  limit: integer("limit, offset, and tail must be integers"),
  offset: integer("limit, offset, and tail must be integers"),
  tail: integer("limit, offset, and tail must be integers"),
});

/**
 * `/api/series`: every parameter may repeat. Its messages come from `seriesQuery`
 * (`series-batch.ts`), which builds this from the query before it is checked here.
 */
export const SeriesQuery = t.Object({
  run: t.Array(t.String(), { minItems: 1 }),
  path: t.Array(t.String(), { minItems: 1 }),
  pointCount: t.Array(t.String({ pattern: INTEGER }), { minItems: 1 }),
  firstPointIndex: t.Optional(t.Array(t.String({ pattern: INTEGER }))),
  lastPointIndex: t.Optional(t.Array(t.String({ pattern: INTEGER }))),
});

/** `/api/configs`: `run` repeats; its message comes from `configsQuery` (`configs-batch.ts`). */
export const ConfigsQuery = t.Object({
  run: t.Array(t.String(), { minItems: 1 }),
});

/** `/api/liveness`: `run` repeats; `livenessQuery` (`liveness-batch.ts`) builds this first. */
export const LivenessQuery = t.Object({
  run: t.Array(t.String(), { minItems: 1 }),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compile-time checks: a parameter renamed on one side only fails here. */
export const SCHEMAS_MATCH_ROUTES: [
  Same<keyof Static<typeof RunsQuery>, keyof ApiRoutes["/api/runs"]["query"]>,
  Same<keyof Static<typeof MetricsQuery>, keyof WireMetricsQuery>,
  Same<keyof Static<typeof StringsQuery>, keyof StringSeriesQuery>,
  Same<keyof Static<typeof SeriesQuery>, keyof SeriesBatchQuery>,
  Same<keyof Static<typeof ConfigsQuery>, keyof ConfigsBatchQuery>,
  Same<keyof Static<typeof LivenessQuery>, keyof WireLivenessQuery>,
] = [true, true, true, true, true, true];

/** The parameters of `schema` present in `query` (decoded as the Python server does). */
export function pick(schema: TObject, query: ReadonlyMap<string, string>): Record<string, string> {
  const value: Record<string, string> = {};
  for (const name of Object.keys(schema.properties)) {
    const text = query.get(name);
    if (text !== undefined) value[name] = text;
  }
  return value;
}

/** The query `/metrics` is checked with: raw points read only `path`. */
export function metricsQuery(query: ReadonlyMap<string, string>): Record<string, string> {
  if (!query.has("pointCount")) {
    const path = query.get("path");
    return path === undefined ? {} : { path };
  }
  if (!query.has("path")) throw new HttpError(400, "pointCount requires a path parameter");
  return pick(MetricsQuery, query);
}

/** An integer parameter that its schema accepted. */
export function toInteger(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}
