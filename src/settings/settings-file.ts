/**
 * The settings file (`config.json`) that `goodseed init` writes in GOODSEED_HOME:
 * defaults for the project, the storage mode and the cloud credentials.
 */

import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const SETTINGS_FILE_NAME = "config.json";

/** What the config file may hold; every field is optional. */
export interface SettingsFile {
  /** Default project for new runs. */
  project?: string;
  /** Default storage mode: "local", "cloud" or "disabled". */
  storage?: string;
  /** Base URL of the remote API. */
  apiUrl?: string;
  /** API key for cloud storage. */
  apiKey?: string;
}

export function settingsFilePath(home: string): string {
  return join(home, SETTINGS_FILE_NAME);
}

function pickString(source: Record<string, unknown>, key: string): string | undefined {
  const value = source[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Reads the config file; a missing or unreadable file is an empty config. */
export function readSettingsFile(home: string): SettingsFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(settingsFilePath(home), "utf8"));
  } catch {
    return {};
  }
  if (typeof parsed !== "object" || parsed === null) return {};
  const source = parsed as Record<string, unknown>;
  const config: SettingsFile = {};
  const project = pickString(source, "project");
  const storage = pickString(source, "storage");
  const apiUrl = pickString(source, "apiUrl");
  const apiKey = pickString(source, "apiKey");
  if (project !== undefined) config.project = project;
  if (storage !== undefined) config.storage = storage;
  if (apiUrl !== undefined) config.apiUrl = apiUrl;
  if (apiKey !== undefined) config.apiKey = apiKey;
  return config;
}

/**
 * Writes the config file with mode 0600 (it may hold an API key), through a temporary
 * file and a rename so that an interrupted write never leaves half a file.
 */
export function writeSettingsFile(home: string, config: SettingsFile): string {
  const target = settingsFilePath(home);
  mkdirSync(dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, target);
  return target;
}
