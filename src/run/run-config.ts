/** A config as `run.getConfigs()` returns it: its stored text decoded by its type tag. */

import type { ConfigRow } from "../storage/run-reader.ts";
import { type ConfigValue, decodeConfigValue } from "../values/config-value.ts";

/** A config as `getConfigs` returns it. */
export interface RunConfig {
  readonly path: string;
  readonly typeTag: string;
  readonly value: ConfigValue;
  readonly updatedAt: string;
}

export function runConfig(row: ConfigRow): RunConfig {
  return {
    path: row.path,
    typeTag: row.typeTag,
    value: decodeConfigValue(row.typeTag, row.text),
    updatedAt: row.updatedAt,
  };
}
