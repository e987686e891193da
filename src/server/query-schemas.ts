/**
 * The query parameters of the routes, as `t` schemas whose error texts are the 400
 * answers of FORMAT.md §11. Values arrive as text (decoded as the Python server
 * does: `url-decoding.ts`); integers are checked here and converted by the route.
 * The schemas name exactly the parameters of the shared route table (`wire.ts`).
 */

import type { Static, TObject } from "@sinclair/typebox";
import { t } from "elysia";
import { TypeCompiler } from "elysia/type-system";
import type { ApiRoutes, MetricsQuery, StringSeriesQuery } from "../api/wire.ts";
import { HttpError } from "./http-error.ts";

/** Python's `int()` as the API accepts it: ASCII digits with an optional sign. */
const INTEGER = "^[+-]?[0-9]+$";

const integer = (error: string) => t.Optional(t.String({ pattern: INTEGER, error }));

export const RunsQuery = t.Object({ project: t.Optional(t.String()) });

/** `/metrics` with `pointCount` (without it, the raw points: no other parameter is read). */
export const DownsampleQuery = t.Object({
  path: t.String({ error: "pointCount requires a path parameter" }),
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

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compile-time checks: a parameter renamed on one side only fails here. */
export const SCHEMAS_MATCH_ROUTES: [
  Same<keyof Static<typeof RunsQuery>, keyof ApiRoutes["/api/runs"]["query"]>,
  Same<keyof Static<typeof DownsampleQuery>, keyof MetricsQuery>,
  Same<keyof Static<typeof StringsQuery>, keyof StringSeriesQuery>,
] = [true, true, true];

/**
 * Checks `query` against `schema`; the first failing parameter's error text is the
 * 400 answer (parameters are checked in the schema's order).
 */
export function checkQuery<S extends TObject>(
  schema: S,
  query: ReadonlyMap<string, string>,
): Static<S> {
  let checker = checkers.get(schema);
  if (!checker) {
    checker = TypeCompiler.Compile(schema);
    checkers.set(schema, checker);
  }
  const value: Record<string, string> = {};
  for (const name of Object.keys(schema.properties)) {
    const text = query.get(name);
    if (text !== undefined) value[name] = text;
  }
  if (!checker.Check(value)) {
    const first = checker.Errors(value).First();
    const error = (first?.schema as { error?: unknown } | undefined)?.error;
    throw new HttpError(400, typeof error === "string" ? error : "Bad request");
  }
  return value as Static<S>;
}

const checkers = new Map<TObject, ReturnType<typeof TypeCompiler.Compile>>();

/** An integer parameter that {@link checkQuery} accepted. */
export function toInteger(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}
