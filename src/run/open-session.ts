/**
 * Everything `new Run()` does before the first log call: resolving the settings,
 * creating, resuming or opening the file on the main thread (so errors throw from the
 * constructor), registering a cloud run, and starting the Worker-side pieces.
 */

import { rmSync } from "node:fs";
import { ApiClient } from "../cloud/api-client.ts";
import { RemoteReader } from "../cloud/remote-reader.ts";
import { type RunIdentity, splitProject } from "../cloud/remote-run.ts";
import { attachUpload, blockingApiCall, type CloudTarget } from "../cloud/upload-client.ts";
import {
  InvalidOptionError,
  RunNotFoundError,
  StorageError,
  StorageUnavailableError,
} from "../errors.ts";
import { captureConsole } from "../monitoring/console-capture.ts";
import { collectGitConfigs } from "../monitoring/git-info.ts";
import { monitoringIdentity } from "../monitoring/namespace.ts";
import { allocateRing, ringViews } from "../queue/layout.ts";
import { RingProducer } from "../queue/ring-producer.ts";
import { runsDir, validateProject, validateRunId } from "../settings/home-layout.ts";
import { requireValidApiUrl, resolveSettings, type Settings } from "../settings/settings.ts";
import { stringSetMembers } from "../values/config-value.ts";
import type { ConfigEntry } from "../values/flatten.ts";
import { attachRing, sharedClock } from "../writer/writer-client.ts";
import { LocalReads } from "./local-reads.ts";
import { GitRef, type Logger, type RunOptions } from "./options.ts";
import { createRunFile, openReadOnly, type RunFileState, resumeRunFile } from "./run-file.ts";
import { RunWriter } from "./run-writer.ts";
import { DisabledSession, ReadSession, type RunSession } from "./session.ts";
import { validateName } from "./validate-name.ts";
import { type UploadHandle, WriteSession } from "./write-session.ts";

/** What `Run` holds of an opened run: its identity and its session. */
export interface OpenedRun {
  readonly runId: string;
  readonly project: string;
  readonly name: string | undefined;
  readonly session: RunSession;
}

function checkIdShape(runId: string): void {
  if (
    typeof runId !== "string" ||
    runId === "" ||
    /[/\\\u0000]/.test(runId) ||
    runId === "." ||
    runId === ".."
  ) {
    throw new InvalidOptionError(`Run id ${JSON.stringify(runId)} is not a valid run id.`);
  }
}

function checkTags(tags: unknown): unknown[] {
  if (!Array.isArray(tags)) throw new InvalidOptionError("tags must be an array of strings.");
  return tags;
}

function gitConfigs(gitRef: GitRef | boolean | undefined): ConfigEntry[] {
  if (gitRef === false || (gitRef instanceof GitRef && gitRef.disabled)) return [];
  return collectGitConfigs(gitRef instanceof GitRef ? gitRef.repositoryPath : undefined);
}

/** The API endpoint and key of a cloud run, or an error that says how to get a key. */
function cloudTarget(settings: Settings): CloudTarget {
  if (!settings.apiKey) {
    throw new StorageUnavailableError(
      "Storage 'cloud' (the default) needs an API key: set GOODSEED_API_KEY, pass apiKey, or run `goodseed init`. To keep runs on this machine only, use storage: 'local' (or GOODSEED_STORAGE=local).",
    );
  }
  const apiUrl = requireValidApiUrl(settings);
  return {
    apiUrl,
    apiKey: settings.apiKey,
    appUrl: settings.appUrl,
    requestTimeoutMs: settings.timing.requestTimeoutMs,
    retryBaseMs: settings.timing.retryBaseMs,
  };
}

/**
 * A project without a workspace gets the user's default one, as the Python client does.
 * When the API does not answer, the run starts under the bare project (its file there,
 * as `goodseed upload -p <project>` finds it) and the upload asks for the workspace later.
 */
function cloudProject(settings: Settings, target: CloudTarget, logger: Logger): string {
  if (splitProject(settings.project)) return settings.project;
  const outcome = blockingApiCall<string>(target, { op: "me" });
  if (outcome.kind === "ok") return `${outcome.body}/${settings.project}`;
  if (outcome.kind === "retry") {
    logger.warn(
      `The goodseed API at ${settings.apiUrl} did not answer (${outcome.message}), so your default workspace is not known yet: the run is kept as project '${settings.project}' and uploaded to that workspace once the API answers.`,
    );
    return settings.project;
  }
  throw new StorageError(
    `Could not find your default workspace at ${settings.apiUrl} (${outcome.message}). Name it in the project, e.g. project: 'my-team/${settings.project}', or check the API key.`,
  );
}

export function openSession(options: RunOptions, logger: Logger): OpenedRun {
  if (options.runId !== undefined && options.resumeRunId !== undefined) {
    throw new InvalidOptionError(
      "Cannot specify both runId and resumeRunId: use resumeRunId to continue a run.",
    );
  }
  const settings = resolveSettings(
    {
      home: options.goodseedHome,
      project: options.project,
      storage: options.storage,
      apiKey: options.apiKey,
      runId: options.runId,
    },
    process.env,
  );
  if (settings.storage === "disabled") {
    return {
      runId: "",
      project: settings.project,
      name: options.name,
      session: new DisabledSession(),
    };
  }
  const cloud = settings.storage === "cloud" ? cloudTarget(settings) : undefined;
  const project = cloud ? cloudProject(settings, cloud, logger) : settings.project;
  validateProject(project);
  const dir = options.logDir ?? runsDir(settings.home, project);

  if (options.readOnly) {
    const runId = options.resumeRunId ?? settings.runId;
    if (runId === undefined)
      throw new InvalidOptionError("readOnly needs the run to open: pass runId.");
    checkIdShape(runId);
    if (cloud) return openRemote(settings, cloud, project, runId);
    const { file, reader } = openReadOnly(dir, runId);
    const meta = reader.meta();
    return {
      runId,
      project,
      name: meta.get("name") ?? meta.get("experiment_name"),
      session: new ReadSession("local", new LocalReads(file, runId, undefined, reader), file),
    };
  }

  const captureTraceback = options.captureTraceback ?? true;
  const capture = {
    stdout: options.captureStdout ?? true,
    stderr: options.captureStderr ?? true,
    hardware: options.captureHardwareMetrics ?? true,
  };
  const monitoring = capture.stdout || capture.stderr || capture.hardware || captureTraceback;
  const identity = monitoring ? monitoringIdentity(options.monitoringNamespace) : undefined;
  const statics: ConfigEntry[] = identity
    ? [
        { path: `${identity.namespace}/hostname`, tag: "str", text: identity.hostname },
        { path: `${identity.namespace}/pid`, tag: "int", text: String(identity.pid) },
        { path: `${identity.namespace}/tid`, tag: "int", text: String(identity.tid) },
      ]
    : [];

  let state: RunFileState;
  if (options.resumeRunId !== undefined) {
    checkIdShape(options.resumeRunId);
    state = resumeRunFile({ dir, runId: options.resumeRunId, logger });
  } else {
    const name = options.name === undefined ? undefined : validateName(options.name);
    const tags =
      options.tags === undefined
        ? undefined
        : stringSetMembers(checkTags(options.tags), "sys/tags");
    if (options.description !== undefined && typeof options.description !== "string") {
      throw new InvalidOptionError("description must be a string.");
    }
    state = createRunFile({
      dir,
      runId: settings.runId === undefined ? undefined : validateRunId(settings.runId),
      project,
      name,
      description: options.description,
      tags,
      configCalls: [gitConfigs(options.gitRef), statics],
    });
  }

  const upload = cloud
    ? startUpload(cloud, state, project, options.resumeRunId === undefined, logger)
    : undefined;

  const buffer = allocateRing(settings.ringBytes);
  const ring = new RingProducer(ringViews(buffer));
  const writer = new RunWriter(ring, sharedClock(), state);
  const ringId = attachRing(state.file, buffer, (message) => logger.error(message));
  if (options.resumeRunId !== undefined) writer.configs(statics);
  let stopCapture: (() => void) | undefined;
  if (identity) {
    const next = (path: string) => state.nextSteps.get(`${identity.namespace}/${path}`) ?? 0;
    writer.monitor({
      namespace: identity.namespace,
      hardware: capture.hardware,
      consoleStep: Math.max(next("stdout"), next("stderr")),
      hardwareStep: next("cpu"),
      intervalMs: settings.monitorIntervalMs,
      gpuTimeoutMs: settings.timing.gpuTimeoutMs,
      traceback: captureTraceback,
    });
    stopCapture = captureConsole(
      { consoleText: (stream, text) => writer.consoleText(stream, text) },
      capture,
    );
  }
  return {
    runId: state.runId,
    project,
    name: state.name,
    session: new WriteSession({
      runId: state.runId,
      file: state.file,
      namespace: identity?.namespace,
      writer,
      ring,
      ringId,
      reads: new LocalReads(state.file, state.runId, ring),
      upload,
      stopCapture,
      captureTraceback,
      logger,
      uploadTimeoutMs: settings.closeUploadTimeoutMs,
    }),
  };
}

/**
 * Registers a cloud run (blocking: a refused key or an unknown project throws here)
 * and hands it to the upload Worker. A network failure does not stop the run: the
 * Worker keeps trying in the background.
 */
function startUpload(
  target: CloudTarget,
  state: RunFileState,
  project: string,
  created: boolean,
  logger: Logger,
): UploadHandle {
  const identity: RunIdentity = { project, runId: state.runId, name: state.name };
  const registered = blockingApiCall<string>(target, { op: "register", identity });
  if (registered.kind === "fatal") {
    // The run never started: take back the file this constructor created.
    if (created)
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${state.file}${suffix}`, { force: true });
    throw new StorageError(`Cannot start cloud run '${state.runId}': ${registered.message}`);
  }
  if (registered.kind === "retry") {
    logger.warn(
      `The goodseed API at ${target.apiUrl} did not answer (${registered.message}); logging locally and retrying the upload in the background.`,
    );
  }
  const remoteId = registered.kind === "ok" ? registered.body : undefined;
  return { id: attachUpload(state.file, identity, target, remoteId, logger), project };
}

/** A read-only cloud run: the remote run is looked up, never created. */
function openRemote(
  settings: Settings,
  target: CloudTarget,
  project: string,
  runId: string,
): OpenedRun {
  const parts = splitProject(project) as { workspace: string; name: string };
  const listing = blockingApiCall<unknown>(target, {
    op: "get",
    path: `/api/v1/workspaces/${encodeURIComponent(parts.workspace)}/projects/${encodeURIComponent(parts.name)}/runs`,
    query: {},
  });
  if (listing.kind !== "ok") {
    throw new StorageError(
      `Could not list the runs of '${project}' at ${settings.apiUrl}: ${listing.message}`,
    );
  }
  const items = Array.isArray(listing.body)
    ? listing.body
    : ((listing.body as { runs?: unknown } | undefined)?.runs ?? []);
  const match = (items as Record<string, unknown>[]).find(
    (item) => item.run_id === runId || item.runId === runId || item.name === runId,
  );
  if (!match || (typeof match.id !== "string" && typeof match.id !== "number")) {
    throw new RunNotFoundError(runId, `${settings.apiUrl} (project ${project})`);
  }
  const api = new ApiClient({
    baseUrl: target.apiUrl,
    apiKey: target.apiKey,
    appUrl: target.appUrl,
    timeoutMs: target.requestTimeoutMs,
  });
  const name = match.experiment_name ?? match.name;
  const reads = new RemoteReader(api, String(match.id), (path, query) =>
    blockingApiCall<unknown>(target, { op: "get", path, query }),
  );
  return {
    runId,
    project,
    name: typeof name === "string" && name !== runId ? name : undefined,
    session: new ReadSession("cloud", reads, undefined),
  };
}
