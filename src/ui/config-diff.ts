/**
 * The config diff of the runs compared: a table of the config keys whose values differ
 * across them (every key on request).
 */

import type { ConfigValue, RunSummary } from "./api.ts";
import { formatValue, h } from "./dom.ts";
import { isInternalKey } from "./table-columns.ts";
import { runKey } from "./view-state.ts";

/** A table of the config keys whose values differ across the runs (all keys on request). */
export function configDiff(
  runs: readonly RunSummary[],
  configsOf: (run: RunSummary) => Record<string, ConfigValue> | undefined,
  showAll: boolean,
  internals = false,
): HTMLElement {
  const keys = new Set<string>();
  for (const run of runs)
    for (const key of Object.keys(configsOf(run) ?? {}))
      if (internals || !isInternalKey(key)) keys.add(key);
  const differing = [...keys].filter((key) => {
    if (key === "sys/id" || key === "sys/creation_time" || key === "sys/closed_time")
      return showAll;
    const values = runs.map((run) => JSON.stringify(configsOf(run)?.[key] ?? null));
    return showAll || new Set(values).size > 1;
  });
  return h(
    "table",
    { class: "diff" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", {}, "Config"),
        ...runs.map((run) => h("th", { "data-run": runKey(run) }, run.run_id)),
      ),
    ),
    h(
      "tbody",
      {},
      ...differing
        .sort()
        .map((key) =>
          h(
            "tr",
            {},
            h("td", { class: "path" }, key),
            ...runs.map((run) => h("td", {}, formatValue(configsOf(run)?.[key]))),
          ),
        ),
    ),
  );
}
