/**
 * Errors thrown by goodseed. Every error carries a stable `code`; messages say what
 * happened and what to do. Errors that cross a Worker lose their prototype, so the
 * type guards also match by `name`.
 */

const BRAND = Symbol.for("goodseed.error");

export type GoodseedErrorCode =
  | "INVALID_VALUE"
  | "INVALID_OPTION"
  | "READ_ONLY"
  | "RUN_CLOSED"
  | "RUN_EXISTS"
  | "RUN_NOT_FOUND"
  | "RUN_ACTIVE"
  | "STORAGE_DISABLED"
  | "STORAGE_UNAVAILABLE"
  | "STORAGE_FAILED"
  | "NOT_BUN";

interface ErrorOptions {
  cause?: unknown;
}

/**
 * Base class of every goodseed error. `err instanceof GoodseedError` is also true for
 * {@link InvalidValueError}, which extends the built-in `TypeError` instead.
 */
export class GoodseedError extends Error {
  readonly code: GoodseedErrorCode;
  readonly [BRAND] = true;

  constructor(code: GoodseedErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options);
    this.name = "GoodseedError";
    this.code = code;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` was asked about
    if (this === GoodseedError) return isGoodseedError(value);
    // biome-ignore lint/complexity/noThisInStatic: subclasses keep the ordinary prototype check
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/**
 * A value, path or step of the wrong kind. It is a `TypeError` (as the built-ins
 * throw for wrong kinds) and names the offending path.
 */
export class InvalidValueError extends TypeError {
  readonly code = "INVALID_VALUE" as const;
  readonly [BRAND] = true;
  /** The (normalised) path the value was meant for, when there is one. */
  readonly path: string | undefined;

  constructor(message: string, path?: string) {
    super(message);
    this.name = "InvalidValueError";
    this.path = path;
  }
}

/** An option passed to `new Run()` (or read from the environment) is not usable. */
export class InvalidOptionError extends GoodseedError {
  constructor(message: string, options?: ErrorOptions) {
    super("INVALID_OPTION", message, options);
    this.name = "InvalidOptionError";
  }
}

/** A write was attempted on a run opened with `readOnly: true`. */
export class ReadOnlyRunError extends GoodseedError {
  constructor(runId: string) {
    super(
      "READ_ONLY",
      `Run '${runId}' was opened read-only; open it with resumeRunId to write to it.`,
    );
    this.name = "ReadOnlyRunError";
  }
}

/** A write was attempted after `close()`. */
export class RunClosedError extends GoodseedError {
  constructor(runId: string) {
    super(
      "RUN_CLOSED",
      `Run '${runId}' is closed; resume it with new Run({ resumeRunId: '${runId}' }) to log more.`,
    );
    this.name = "RunClosedError";
  }
}

/** An explicit run id names a run that already exists. */
export class RunExistsError extends GoodseedError {
  readonly file: string;
  constructor(runId: string, file: string) {
    super(
      "RUN_EXISTS",
      `Run '${runId}' already exists at ${file}. To continue it, use new Run({ resumeRunId: '${runId}' }); to start a new run, choose another runId or leave it out.`,
    );
    this.name = "RunExistsError";
    this.file = file;
  }
}

/** The run to resume or read does not exist. */
export class RunNotFoundError extends GoodseedError {
  readonly file: string;
  constructor(runId: string, file: string) {
    super(
      "RUN_NOT_FOUND",
      `Run '${runId}' not found: no file at ${file}. Check the run id and the project (and GOODSEED_HOME).`,
    );
    this.name = "RunNotFoundError";
    this.file = file;
  }
}

/** A resume was refused because another live process is still writing the run. */
export class RunActiveError extends GoodseedError {
  constructor(runId: string, detail: string) {
    super(
      "RUN_ACTIVE",
      `Cannot resume run '${runId}': it is still running (${detail}). Close it in that process first, or wait until that process has exited.`,
    );
    this.name = "RunActiveError";
  }
}

/** A read on a run created with `storage: "disabled"`. */
export class StorageDisabledError extends GoodseedError {
  constructor() {
    super(
      "STORAGE_DISABLED",
      "This run was created with storage 'disabled': it stores nothing, so there is nothing to read. Use storage 'local' to keep data.",
    );
    this.name = "StorageDisabledError";
  }
}

/** The requested storage mode cannot be used here. */
export class StorageUnavailableError extends GoodseedError {
  constructor(message: string) {
    super("STORAGE_UNAVAILABLE", message);
    this.name = "StorageUnavailableError";
  }
}

/** Writing or reading the run file failed. */
export class StorageError extends GoodseedError {
  constructor(message: string, options?: ErrorOptions) {
    super("STORAGE_FAILED", message, options);
    this.name = "StorageError";
  }
}

const NAMES = new Set([
  "GoodseedError",
  "InvalidValueError",
  "InvalidOptionError",
  "ReadOnlyRunError",
  "RunClosedError",
  "RunExistsError",
  "RunNotFoundError",
  "RunActiveError",
  "StorageDisabledError",
  "StorageUnavailableError",
  "StorageError",
]);

/** True for any goodseed error, also one that lost its prototype crossing a Worker. */
export function isGoodseedError(value: unknown): value is GoodseedError | InvalidValueError {
  if (typeof value !== "object" || value === null) return false;
  if ((value as { [BRAND]?: unknown })[BRAND] === true) return true;
  const name = (value as { name?: unknown }).name;
  return typeof name === "string" && NAMES.has(name) && "code" in value;
}
