/**
 * A fake of the goodseed remote API on 127.0.0.1 (FORMAT.md §12): it keeps what it is
 * sent, records every request, and can fail the first ingest calls on purpose (500,
 * 429 with Retry-After, a dropped connection, or a stall that holds the request until
 * the test releases it with `POST /__fake/release`).
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";

export type Fault = "500" | "429" | "drop" | "stall";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly auth: string | undefined;
  readonly gzip: boolean;
  readonly status: number;
  readonly body: unknown;
}

export interface RemoteRun {
  readonly id: string;
  readonly workspace: string;
  readonly project: string;
  readonly runId: string;
  readonly name: string | null;
  readonly configs: Map<string, { type_tag: string; value: string | null }>;
  /** Stored points by `path \0 step`. */
  readonly metrics: Map<string, unknown>;
  readonly strings: Map<string, unknown>;
  /** How many confirmed requests carried each point. */
  readonly receipts: Map<string, number>;
  heartbeats: number;
  status: string | undefined;
}

export interface FakeSnapshot {
  requests: RecordedRequest[];
  /** Ingest requests received and held by a "stall" fault, not yet answered. */
  stalling: number;
  runs: {
    id: string;
    workspace: string;
    project: string;
    runId: string;
    name: string | null;
    configs: Record<string, { type_tag: string; value: string | null }>;
    metrics: Record<string, unknown>;
    strings: Record<string, unknown>;
    receipts: Record<string, number>;
    heartbeats: number;
    status: string | undefined;
  }[];
}

export interface FakeRemoteOptions {
  /** Accepted API key. @default "test-key" */
  key?: string;
  workspace?: string;
  /** Applied to the first ingest calls, in order. */
  ingestFaults?: Fault[];
  /** The longest a stalled ingest is held before it is answered, unless released first. @default 10000 */
  stallMs?: number;
  /** Projects that do not exist (register answers 404). */
  missingProjects?: string[];
}

function read(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

export class FakeRemote {
  readonly requests: RecordedRequest[] = [];
  readonly runs = new Map<string, RemoteRun>();
  readonly #options: Required<Omit<FakeRemoteOptions, "ingestFaults">> & { faults: Fault[] };
  #server: Server | undefined;
  #stalling = 0;
  /** Ends the stalls being held. */
  readonly #releases = new Set<() => void>();
  url = "";

  constructor(options: FakeRemoteOptions = {}) {
    this.#options = {
      key: options.key ?? "test-key",
      workspace: options.workspace ?? "acme",
      stallMs: options.stallMs ?? 10_000,
      missingProjects: options.missingProjects ?? [],
      faults: [...(options.ingestFaults ?? [])],
    };
  }

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      void this.#handle(request, response).catch((error) => {
        response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: String(error) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address() as { port: number };
    this.url = `http://127.0.0.1:${address.port}`;
    this.#server = server;
    return this;
  }

  async stop(): Promise<void> {
    this.release();
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Answers every stalled ingest now; returns how many there were. */
  release(): number {
    const releases = [...this.#releases];
    for (const release of releases) release();
    return releases.length;
  }

  /** Everything the fake holds, as JSON-able data (for a test in another process). */
  snapshot(): FakeSnapshot {
    return {
      requests: this.requests,
      stalling: this.#stalling,
      runs: [...this.runs.values()].map((run) => ({
        ...run,
        configs: Object.fromEntries(run.configs),
        metrics: Object.fromEntries(run.metrics),
        strings: Object.fromEntries(run.strings),
        receipts: Object.fromEntries(run.receipts),
      })),
    };
  }

  /** The single run of a test. */
  only(): RemoteRun {
    const runs = [...this.runs.values()];
    if (runs.length !== 1) throw new Error(`expected one remote run, got ${runs.length}`);
    return runs[0] as RemoteRun;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.url);
    const raw = await read(request);
    const gzip = request.headers["content-encoding"] === "gzip";
    const text = (gzip ? gunzipSync(raw) : raw).toString("utf8");
    const body: unknown = text === "" ? undefined : JSON.parse(text);
    const auth = request.headers.authorization;
    const path = url.pathname;
    if (path === "/__fake/state") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(this.snapshot()));
      return;
    }
    if (path === "/__fake/release") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ released: this.release() }));
      return;
    }
    const answer = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ method: request.method ?? "", path, auth, gzip, status, body });
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(payload === undefined ? "" : JSON.stringify(payload));
    };
    if (auth !== `Bearer ${this.#options.key}`) {
      answer(401, { error_code: "Auth.Invalid", title: "Unauthorized", detail: "invalid API key" });
      return;
    }
    if (request.method === "GET" && path === "/api/v1/auth/me")
      return answer(200, { name: this.#options.workspace });
    if (request.method === "POST" && path === "/api/v1/runs")
      return answer(...this.#register(body));
    const listing = /^\/api\/v1\/workspaces\/([^/]+)\/projects\/([^/]+)\/runs$/.exec(path);
    if (request.method === "GET" && listing) {
      const [workspace, project] = [
        decodeURIComponent(listing[1] as string),
        decodeURIComponent(listing[2] as string),
      ];
      const runs = [...this.runs.values()].filter(
        (run) => run.workspace === workspace && run.project === project,
      );
      return answer(
        200,
        runs.map((run) => ({ id: run.id, run_id: run.runId, experiment_name: run.name })),
      );
    }
    const match = /^\/api\/v1\/runs\/([^/]+)(\/.*)?$/.exec(path);
    const run = match ? this.runs.get(decodeURIComponent(match[1] as string)) : undefined;
    if (!match || !run) return answer(404, { error_code: "Run.NotFound", title: "Not found" });
    const rest = match[2] ?? "";
    if (request.method === "POST" && rest === "/configs") {
      for (const item of (
        body as { configs: { path: string; type_tag: string; value: string | null }[] }
      ).configs) {
        run.configs.set(item.path, { type_tag: item.type_tag, value: item.value });
      }
      return answer(204);
    }
    if (request.method === "POST" && rest === "/ingest") {
      const fault = this.#options.faults.shift();
      if (fault === "500") return answer(500, { error: "injected failure" });
      if (fault === "429") return answer(429, { error: "slow down" }, { "retry-after": "1" });
      if (fault === "drop") {
        this.requests.push({ method: "POST", path, auth, gzip, status: 0, body: undefined });
        request.socket.destroy();
        return;
      }
      if (fault === "stall") {
        this.#stalling++;
        await new Promise<void>((resolve) => {
          const release = () => {
            clearTimeout(timer);
            this.#releases.delete(release);
            resolve();
          };
          const timer = setTimeout(release, this.#options.stallMs);
          this.#releases.add(release);
        });
        this.#stalling--;
      }
      for (const point of (body as { points: Record<string, unknown>[] }).points) {
        const key = `${point.path}\u0000${point.step}`;
        if ("text" in point) run.strings.set(key, point.text);
        else run.metrics.set(key, point.number);
        run.receipts.set(key, (run.receipts.get(key) ?? 0) + 1);
      }
      return answer(200, {});
    }
    if (request.method === "POST" && rest === "/heartbeat") {
      run.heartbeats++;
      return answer(200, {});
    }
    if (request.method === "POST" && rest === "/status") {
      run.status = (body as { status: string }).status;
      return answer(200, {});
    }
    if (request.method === "GET" && rest === "") {
      return answer(200, {
        id: run.id,
        configs: [...run.configs].map(([configPath, config]) => ({
          path: configPath,
          ...config,
          updated_at: "",
        })),
      });
    }
    if (request.method === "GET" && rest === "/paths") {
      const paths = (points: Map<string, unknown>, type: string) =>
        [...new Set([...points.keys()].map((key) => key.split("\u0000")[0] as string))].map(
          (p) => ({ path: p, type }),
        );
      return answer(200, [...paths(run.metrics, "metric"), ...paths(run.strings, "string")]);
    }
    const points = (store: Map<string, unknown>, wanted: string | null) =>
      [...store]
        .map(([key, value]) => {
          const [seriesPath, step] = key.split("\u0000") as [string, string];
          return { path: seriesPath, step: Number(step), value };
        })
        .filter((point) => point.path === wanted)
        .sort((a, b) => a.step - b.step);
    if (request.method === "GET" && rest === "/data/metrics") {
      const selected = points(run.metrics, url.searchParams.get("path"));
      return answer(200, {
        path: url.searchParams.get("path"),
        downsampled: false,
        raw_points: selected.map((point) => ({ step: point.step, y: point.value })),
      });
    }
    if (request.method === "GET" && rest === "/data/strings") {
      const selected = points(run.strings, url.searchParams.get("path"));
      const offset = Number(url.searchParams.get("offset") ?? 0);
      const limit = Number(url.searchParams.get("limit") ?? selected.length);
      return answer(200, {
        points: selected
          .slice(offset, offset + limit)
          .map((point) => ({ step: point.step, value: point.value })),
        total: selected.length,
      });
    }
    return answer(404, { error_code: "NotFound" });
  }

  #register(body: unknown): [number, unknown] {
    const { workspace, project, run_id, experiment_name } = body as {
      workspace: string;
      project: string;
      run_id: string;
      experiment_name: string | null;
    };
    if (this.#options.missingProjects.includes(`${workspace}/${project}`)) {
      return [
        404,
        {
          error_code: "Project.NotFound",
          title: "Project not found",
          detail: `${workspace}/${project}`,
        },
      ];
    }
    for (const run of this.runs.values()) {
      if (run.workspace === workspace && run.project === project && run.runId === run_id)
        return [200, { id: run.id }];
    }
    const id = `r${this.runs.size + 1}`;
    this.runs.set(id, {
      id,
      workspace,
      project,
      runId: run_id,
      name: experiment_name,
      configs: new Map(),
      metrics: new Map(),
      strings: new Map(),
      receipts: new Map(),
      heartbeats: 0,
      status: undefined,
    });
    return [200, { id }];
  }
}

/**
 * The fake in a process of its own: a Run in the test's own process blocks its thread
 * while it registers, so the fake must not share that thread.
 */
export async function startFakeRemoteProcess(options: FakeRemoteOptions = {}) {
  const child = Bun.spawn([process.execPath, import.meta.path, "--serve"], {
    env: { ...process.env, FAKE_REMOTE_OPTIONS: JSON.stringify(options) },
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the fake remote did not start");
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const url = text.trim();
  return {
    url,
    async state(): Promise<FakeSnapshot> {
      return (await (await fetch(`${url}/__fake/state`)).json()) as FakeSnapshot;
    },
    /** Answers every stalled ingest now. */
    async release(): Promise<number> {
      const reply = await fetch(`${url}/__fake/release`, { method: "POST" });
      return ((await reply.json()) as { released: number }).released;
    },
    async [Symbol.asyncDispose]() {
      child.kill();
      await child.exited;
    },
  };
}

if (import.meta.main && process.argv.includes("--serve")) {
  const fake = await new FakeRemote(
    JSON.parse(process.env.FAKE_REMOTE_OPTIONS ?? "{}") as FakeRemoteOptions,
  ).start();
  console.log(fake.url);
}
