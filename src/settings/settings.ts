/**
 * Resolves configuration once, at the edge: explicit option, then environment, then
 * the config file, then the built-in default. The result is frozen and passed down;
 * nothing deeper reads `process.env`.
 */

import { homedir } from "node:os";
import { resolve } from "node:path";
import { InvalidOptionError } from "../errors.ts";
import { DEFAULT_RING_BYTES } from "../queue/layout.ts";
import { readSettingsFile, settingsFilePath } from "./settings-file.ts";
import { resolveTiming, type Timing } from "./timing.ts";

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
  /** Where `apiUrl` came from, for messages: GOODSEED_API_URL, the settings file, or the default. */
  readonly apiUrlSource: string;
  /** The web app, named in messages (GOODSEED_APP_URL). */
  readonly appUrl: string;
  readonly apiKey: string | undefined;
  readonly runId: string | undefined;
  /** Hardware sampling interval (GOODSEED_MONITOR_INTERVAL_MS, for tests), 10 s by default. */
  readonly monitorIntervalMs: number;
  /** Timeouts and intervals a test may shorten (GOODSEED_*_MS). */
  readonly timing: Timing;
  /**
   * Size of each run's queue to the writer (GOODSEED_RING_BYTES), 8 MiB by default. A
   * bigger queue absorbs longer bursts; the commit window stays a second either way.
   */
  readonly ringBytes: number;
  /**
   * How long `close()` waits for a cloud run's upload by default
   * (GOODSEED_CLOSE_UPLOAD_TIMEOUT_MS), a minute; past it the data stays in the file for
   * `goodseed upload`.
   */
  readonly closeUploadTimeoutMs: number;
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

const MIN_RING_BYTES = 64 * 1024;
const MAX_RING_BYTES = 1024 * 1024 * 1024;

function ringBytes(text: string | undefined): number {
  if (text === undefined || text === "") return DEFAULT_RING_BYTES;
  const value = Number(text);
  if (!Number.isInteger(value) || value < MIN_RING_BYTES || value > MAX_RING_BYTES) {
    throw new InvalidOptionError(
      `GOODSEED_RING_BYTES is '${text}'; it must be a whole number of bytes from ${MIN_RING_BYTES} to ${MAX_RING_BYTES}.`,
    );
  }
  return value;
}

export const DEFAULT_CLOSE_UPLOAD_TIMEOUT_MS = 60_000;

function closeUploadTimeout(text: string | undefined): number {
  const value = Number(text);
  return text !== undefined && text !== "" && Number.isFinite(value) && value >= 0
    ? value
    : DEFAULT_CLOSE_UPLOAD_TIMEOUT_MS;
}

/**
 * The API URL of a cloud run or upload, checked before anything is sent: a malformed
 * one would otherwise look like a network that never answers.
 */
export function requireValidApiUrl(settings: Settings): string {
  let url: URL | undefined;
  try {
    url = new URL(settings.apiUrl);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "") {
    return settings.apiUrl;
  }
  throw new InvalidOptionError(
    `The goodseed API URL '${settings.apiUrl}' (from ${settings.apiUrlSource}) is not an http:// or https:// URL. Set it to one such as ${DEFAULT_API_URL}, or unset it to use the default.`,
  );
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
    apiUrlSource:
      nonEmpty(env.GOODSEED_API_URL) !== undefined
        ? "GOODSEED_API_URL"
        : file.apiUrl !== undefined
          ? `apiUrl in ${settingsFilePath(home)}`
          : "the default",
    appUrl: nonEmpty(env.GOODSEED_APP_URL) ?? DEFAULT_APP_URL,
    apiKey: nonEmpty(overrides.apiKey) ?? nonEmpty(env.GOODSEED_API_KEY) ?? file.apiKey,
    runId: nonEmpty(overrides.runId) ?? nonEmpty(env.GOODSEED_RUN_ID),
    monitorIntervalMs: monitorInterval(env.GOODSEED_MONITOR_INTERVAL_MS),
    timing: resolveTiming(env),
    ringBytes: ringBytes(env.GOODSEED_RING_BYTES),
    closeUploadTimeoutMs: closeUploadTimeout(env.GOODSEED_CLOSE_UPLOAD_TIMEOUT_MS),
  });
}
