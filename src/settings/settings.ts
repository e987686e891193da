/**
 * Resolves configuration once, at the edge: explicit option, then environment, then
 * the config file, then the built-in default. The result is frozen and passed down;
 * nothing deeper reads `process.env`.
 */

import { homedir } from "node:os";
import { resolve } from "node:path";
import { InvalidOptionError } from "../errors.ts";
import { readSettingsFile } from "./settings-file.ts";

export type StorageMode = "disabled" | "local" | "cloud";

export const STORAGE_MODES: readonly StorageMode[] = ["disabled", "local", "cloud"];

export const DEFAULT_API_URL = "https://api.goodseed.ai";
export const DEFAULT_APP_URL = "https://app.goodseed.ai";
export const DEFAULT_PROJECT = "default";

export interface Settings {
  readonly home: string;
  readonly project: string;
  readonly storage: StorageMode;
  readonly apiUrl: string;
  /** The web app, named in messages (GOODSEED_APP_URL). */
  readonly appUrl: string;
  readonly apiKey: string | undefined;
  readonly runId: string | undefined;
  /** Hardware sampling interval (GOODSEED_MONITOR_INTERVAL_MS, for tests), 10 s by default. */
  readonly monitorIntervalMs: number;
}

/** The explicit values a caller may give; each overrides the environment. */
export interface SettingOverrides {
  home?: string | undefined;
  project?: string | undefined;
  storage?: string | undefined;
  apiKey?: string | undefined;
  runId?: string | undefined;
}

export type Environment = Readonly<Record<string, string | undefined>>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** GOODSEED_HOME, else `~/.goodseed`. */
export function resolveHome(explicit: string | undefined, env: Environment): string {
  const home = nonEmpty(explicit) ?? nonEmpty(env.GOODSEED_HOME) ?? resolve(homedir(), ".goodseed");
  return resolve(home);
}

export function parseStorageMode(value: string, source: string): StorageMode {
  const lowered = value.toLowerCase();
  if ((STORAGE_MODES as readonly string[]).includes(lowered)) return lowered as StorageMode;
  throw new InvalidOptionError(
    `${source} is '${value}'; it must be one of ${STORAGE_MODES.map((m) => `'${m}'`).join(", ")}.`,
  );
}

export const DEFAULT_MONITOR_INTERVAL_MS = 10_000;

function monitorInterval(text: string | undefined): number {
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) && value >= 50
    ? value
    : DEFAULT_MONITOR_INTERVAL_MS;
}

export function resolveSettings(overrides: SettingOverrides, env: Environment): Settings {
  const home = resolveHome(overrides.home, env);
  const file = readSettingsFile(home);
  const storageOption = nonEmpty(overrides.storage);
  const storageEnv = nonEmpty(env.GOODSEED_STORAGE);
  let storage: StorageMode = "cloud";
  if (storageOption !== undefined) storage = parseStorageMode(storageOption, "The storage option");
  else if (storageEnv !== undefined) storage = parseStorageMode(storageEnv, "GOODSEED_STORAGE");
  else if (file.storage !== undefined)
    storage = parseStorageMode(file.storage, "storage in the config file");
  return Object.freeze({
    home,
    project:
      nonEmpty(overrides.project) ??
      nonEmpty(env.GOODSEED_PROJECT) ??
      file.project ??
      DEFAULT_PROJECT,
    storage,
    apiUrl: nonEmpty(env.GOODSEED_API_URL) ?? file.apiUrl ?? DEFAULT_API_URL,
    appUrl: nonEmpty(env.GOODSEED_APP_URL) ?? DEFAULT_APP_URL,
    apiKey: nonEmpty(overrides.apiKey) ?? nonEmpty(env.GOODSEED_API_KEY) ?? file.apiKey,
    runId: nonEmpty(overrides.runId) ?? nonEmpty(env.GOODSEED_RUN_ID),
    monitorIntervalMs: monitorInterval(env.GOODSEED_MONITOR_INTERVAL_MS),
  });
}
