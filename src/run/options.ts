/** The options of `new Run()` and of the logging calls. */

import type { StorageMode } from "../settings/settings.ts";

/** Storage modes, as in the Python client's `Storage` enum. */
export const Storage = {
  /** Nothing is stored: writes are silent no-ops, reads throw. */
  Disabled: "disabled",
  /** The run file only. */
  Local: "local",
  /** The run file, uploaded in the background to the remote API. */
  Cloud: "cloud",
} as const satisfies Record<string, StorageMode>;

export type { StorageMode };

/** Where diagnostics go. The library never prints on its own; give a logger to see them. */
export interface Logger {
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = Object.freeze({ warn() {}, error() {} });

/**
 * The user's logger, made safe to call from anywhere: a missing method falls back to the
 * other one (a JavaScript caller's `{ warn }`), and a logger that throws is ignored, so
 * that a diagnostic never ends the training it reports on.
 */
export function guardedLogger(logger: Partial<Logger> | undefined): Logger {
  if (logger === undefined) return silentLogger;
  const call = (level: keyof Logger, message: string): void => {
    const method = logger[level] ?? logger[level === "warn" ? "error" : "warn"];
    try {
      if (typeof method === "function") method.call(logger, message);
    } catch {
      // The logger itself failed: there is nowhere left to report it.
    }
  };
  return Object.freeze({
    warn: (message: string) => call("warn", message),
    error: (message: string) => call("error", message),
  });
}

/** Which git repository to describe in the run's `source_code/` configs. */
export class GitRef {
  /** Turns git metadata off (the same as `gitRef: false`). */
  static readonly DISABLED: GitRef = Object.freeze(
    new GitRef({ repositoryPath: "", disabled: true }),
  );

  /** A path inside the repository (a file means its directory); `undefined` = the working directory. */
  readonly repositoryPath: string | undefined;
  readonly disabled: boolean;

  constructor(options: { repositoryPath?: string; disabled?: boolean } = {}) {
    this.repositoryPath = options.repositoryPath;
    this.disabled = options.disabled ?? false;
  }
}

export interface RunOptions {
  /** Display name (`sys/name`), at most 200 characters. @default none */
  name?: string;
  /** Free-form description (`sys/description`). @default none */
  description?: string;
  /** Initial tags (`sys/tags`). @default none */
  tags?: string[];
  /** Project, e.g. `acme/vision`. @default GOODSEED_PROJECT, the config file, else "default" */
  project?: string;
  /** Id of a new run; an existing id is an error. @default GOODSEED_RUN_ID, else generated */
  runId?: string;
  /** Id of an existing run to continue. Excludes `runId`. @default none */
  resumeRunId?: string;
  /** Storage mode. @default GOODSEED_STORAGE, the config file, else "cloud" */
  storage?: StorageMode;
  /** API key for cloud storage. @default GOODSEED_API_KEY, else the config file */
  apiKey?: string;
  /** Open an existing run (given by `runId`) for reading only. @default false */
  readOnly?: boolean;
  /** Root of goodseed's data. @default GOODSEED_HOME, else ~/.goodseed */
  goodseedHome?: string;
  /** Directory for the run file instead of `<home>/projects/<project>/runs`. @default none */
  logDir?: string;
  /** Record what the program writes to stdout. @default true */
  captureStdout?: boolean;
  /** Record what the program writes to stderr. @default true */
  captureStderr?: boolean;
  /** Sample CPU, memory and GPU usage. @default true */
  captureHardwareMetrics?: boolean;
  /** Log the error of a failing run as `<namespace>/traceback`. @default true */
  captureTraceback?: boolean;
  /** Prefix of the monitoring paths. @default "monitoring/<8 hex digits of this process and thread>" */
  monitoringNamespace?: string;
  /** Git repository to describe, or false / GitRef.DISABLED for none. @default the working directory's */
  gitRef?: GitRef | boolean;
  /** Receives warnings and errors. @default silent */
  logger?: Logger;
}

export interface LogOptions {
  /** Finite step; the same path and step overwrites. @default the path's next auto-step */
  step?: number;
}

export interface LogConfigsOptions {
  /** Flatten plain objects, Maps and arrays into `/`-joined paths. @default true */
  flatten?: boolean;
}

export interface CloseOptions {
  /**
   * How long `close` waits for a cloud run's upload to drain (`Infinity`: until it has);
   * past it `close` returns with a warning, and `goodseed upload` finishes the upload.
   * @default 60000 (GOODSEED_CLOSE_UPLOAD_TIMEOUT_MS)
   */
  uploadTimeoutMs?: number;
}

export interface WaitOptions {
  /** Maximum wait in milliseconds. @default unlimited */
  timeoutMs?: number;
}
