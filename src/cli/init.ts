/**
 * `goodseed init`: sets a machine up in under a minute. Asks for the default project,
 * the storage mode and, for cloud storage, the API URL and key (masked, checked
 * against `auth/me` when the API answers); every question also has a flag, and
 * without a terminal nothing is asked. The config file is written only at the end, in
 * one atomic step with mode 0600, so Ctrl-C leaves nothing half-written.
 */

import type { Readable, Writable } from "node:stream";
import * as prompts from "@clack/prompts";
import { projectProblem } from "../settings/home-layout.ts";
import { DEFAULT_API_URL, DEFAULT_PROJECT } from "../settings/settings.ts";
import {
  readSettingsFile,
  type SettingsFile,
  writeSettingsFile,
} from "../settings/settings-file.ts";
import { type CliContext, CliError, homeOf, UsageError } from "./context.ts";

export interface InitOptions {
  project: string | undefined;
  storage: string | undefined;
  apiUrl: string | undefined;
  apiKey: string | undefined;
  yes: boolean;
}

class Cancelled extends Error {}

type KeyCheck =
  | { ok: true; workspace: string | undefined }
  | { ok: false; reason: string }
  | { ok: "unknown"; reason: string };

async function checkKey(context: CliContext, apiUrl: string, apiKey: string): Promise<KeyCheck> {
  try {
    const response = await context.fetch(`${apiUrl.replace(/\/+$/, "")}/api/v1/auth/me`, {
      headers: { Authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(5000),
    });
    if (response.status === 200) {
      const body = (await response.json().catch(() => ({}))) as { name?: unknown; Name?: unknown };
      const name = body.name ?? body.Name;
      return { ok: true, workspace: typeof name === "string" ? name : undefined };
    }
    if (response.status === 401 || response.status === 403) {
      return { ok: false, reason: `${apiUrl} refused the key (HTTP ${response.status})` };
    }
    return { ok: "unknown", reason: `${apiUrl} answered HTTP ${response.status}` };
  } catch (error) {
    return {
      ok: "unknown",
      reason: `${apiUrl} could not be reached (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}

function checkProject(value: string | undefined): string | undefined {
  if (value === undefined || value === "")
    return "Enter a project name, such as 'default' or 'acme/vision'.";
  const problem = projectProblem(value);
  return problem ? `That project name ${problem}.` : undefined;
}

function checkUrl(value: string | undefined): string | undefined {
  try {
    const url = new URL(value ?? "");
    return url.protocol === "http:" || url.protocol === "https:"
      ? undefined
      : "Use an http:// or https:// URL.";
  } catch {
    return "Enter a URL such as https://api.goodseed.ai.";
  }
}

/**
 * A text prompt's default: shown dimmed and taken on a bare Enter, while what is typed
 * replaces it (as `initialValue` it would be editable text that typing appends to).
 */
function shownDefault(value: string): { placeholder: string; defaultValue: string } {
  return { placeholder: value, defaultValue: value };
}

/** The current settings to start from; a broken file is reported and rewritten from scratch. */
function readableSettings(context: CliContext, home: string): SettingsFile {
  try {
    return readSettingsFile(home);
  } catch (error) {
    context.stderr(`warning: ${(error as Error).message} It will be replaced.\n`);
    return {};
  }
}

export async function initCommand(context: CliContext, options: InitOptions): Promise<number> {
  const home = homeOf(context);
  const existing = readableSettings(context, home);
  const interactive = context.isTTY && !options.yes;
  const io = { input: context.input as Readable, output: context.output as Writable };
  const answer = (value: string | symbol): string => {
    if (prompts.isCancel(value) || typeof value !== "string") throw new Cancelled();
    return value;
  };

  // Flags first; then what is missing is asked for, or (with --yes) defaulted, or reported.
  if (options.storage !== undefined && options.storage !== "local" && options.storage !== "cloud") {
    throw new UsageError(`--storage must be 'local' or 'cloud', got '${options.storage}'`);
  }
  for (const [flag, value, check] of [
    ["--project", options.project, checkProject],
    ["--api-url", options.apiUrl, checkUrl],
  ] as const) {
    const problem = value === undefined ? undefined : check(value);
    if (problem) throw new UsageError(`${flag}: ${problem}`);
  }
  if (!interactive && !options.yes) {
    const missing: string[] = [];
    if (options.project === undefined) missing.push("--project");
    if (options.storage === undefined) missing.push("--storage");
    if (options.storage === "cloud" && options.apiKey === undefined) missing.push("--api-key");
    if (missing.length > 0) {
      throw new UsageError(
        `no terminal to ask in: give ${missing.join(", ")} (or --yes to take the defaults for what is not given)`,
      );
    }
  }

  try {
    if (interactive) prompts.intro("goodseed init", io);
    const project =
      options.project ??
      (interactive
        ? answer(
            await prompts.text({
              ...io,
              message: "Default project for new runs",
              ...shownDefault(existing.project ?? DEFAULT_PROJECT),
              validate: (value) => (value ? checkProject(value) : undefined),
            }),
          )
        : (existing.project ?? DEFAULT_PROJECT));
    const storage =
      options.storage ??
      (interactive
        ? answer(
            await prompts.select({
              ...io,
              message: "Where should runs be stored?",
              initialValue: existing.storage === "cloud" ? "cloud" : "local",
              options: [
                { value: "local", label: "local", hint: "SQLite files on this machine" },
                {
                  value: "cloud",
                  label: "cloud",
                  hint: "local files, uploaded to the goodseed API",
                },
              ],
            }),
          )
        : existing.storage === "cloud" && options.yes
          ? "cloud"
          : "local");
    const config: SettingsFile = { project, storage };
    if (storage === "cloud") {
      const apiUrl =
        options.apiUrl ??
        (interactive
          ? answer(
              await prompts.text({
                ...io,
                message: "API URL",
                ...shownDefault(existing.apiUrl ?? DEFAULT_API_URL),
                validate: (value) => (value ? checkUrl(value) : undefined),
              }),
            )
          : (existing.apiUrl ?? DEFAULT_API_URL));
      let apiKey = options.apiKey ?? (interactive ? undefined : existing.apiKey);
      // Run again for the same API, a bare Enter keeps the saved key (never shown).
      let saved = apiUrl === existing.apiUrl ? existing.apiKey : undefined;
      for (;;) {
        if (apiKey === undefined) {
          if (!interactive) throw new UsageError("cloud storage needs --api-key");
          const keep = saved;
          const typed = answer(
            await prompts.password({
              ...io,
              message: keep ? "API key (Enter keeps the saved one)" : "API key",
              validate: (value) =>
                value || keep ? undefined : "Paste the API key from the goodseed app.",
            }),
          );
          apiKey = typed === "" && keep !== undefined ? keep : typed;
        }
        const check = await checkKey(context, apiUrl, apiKey);
        if (check.ok === true) {
          const note = `The API accepted the key${check.workspace ? ` (workspace '${check.workspace}')` : ""}.`;
          if (interactive) prompts.log.success(note, io);
          else context.stderr(`${note}\n`);
          break;
        }
        if (check.ok === "unknown") {
          const note = `Could not check the key: ${check.reason}. It is saved anyway.`;
          if (interactive) prompts.log.warn(note, io);
          else context.stderr(`warning: ${note}\n`);
          break;
        }
        if (!interactive)
          throw new CliError(`${check.reason}; nothing was written. Check the key and try again.`);
        prompts.log.error(`${check.reason}. Try another key (Ctrl-C to stop).`, io);
        apiKey = undefined;
        saved = undefined;
      }
      config.apiUrl = apiUrl;
      config.apiKey = apiKey;
    }
    const file = writeSettingsFile(home, config);
    if (interactive) prompts.outro(`Saved ${file}`, io);
    context.stdout(
      [
        `Wrote ${file} (project '${project}', storage '${storage}').`,
        "Start logging from Bun:",
        '  import { Run } from "goodseed";',
        '  await using run = new Run({ name: "first-experiment" });',
        '  run.log("train/loss", 0.42, { step: 0 });',
        "",
      ].join("\n"),
    );
    return 0;
  } catch (error) {
    if (error instanceof Cancelled) {
      prompts.cancel("Cancelled: nothing was written.", io);
      return 1;
    }
    throw error;
  }
}
