/**
 * A throw-away PostgreSQL cluster for tests: `initdb` in a temp dir (as the `postgres`
 * user when the tests run as root, since PostgreSQL refuses to run as root), started
 * on a free loopback port with a private socket directory, stopped and removed at the
 * end. Each test gets a fresh database from {@link PgCluster.createDatabase}.
 */

import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";
import { freePort } from "./server.ts";

export interface PgCluster {
  /** `postgres://goodseed@127.0.0.1:PORT/postgres` */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** A new empty database; returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server (fast shutdown) without removing the data: for outage tests. */
  stopServer(): void;
  /** Starts it again on the same port after {@link stopServer}. */
  startServer(): void;
  stop(): void;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The directory of `initdb`/`pg_ctl`: `GOODSEED_PG_BIN`, Debian's versioned dirs, or PATH. */
export function postgresBinDir(): string | undefined {
  const explicit = process.env.GOODSEED_PG_BIN;
  if (explicit && existsSync(join(explicit, "initdb"))) return explicit;
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((name) => existsSync(join(debian, name, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(debian, versions[0], "bin");
  }
  const onPath = Bun.which("initdb");
  return onPath ? onPath.slice(0, -"/initdb".length) : undefined;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const result = Bun.spawnSync(["id", "-u", "postgres"]);
  const groups = Bun.spawnSync(["id", "-g", "postgres"]);
  if (result.exitCode !== 0) throw new Error("running as root needs a 'postgres' user for initdb");
  return { uid: Number(result.stdout.toString()), gid: Number(groups.stdout.toString()) };
}

function run(command: string[], asPostgres: boolean): void {
  const argv = asPostgres ? ["runuser", "-u", "postgres", "--", ...command] : command;
  const result = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) {
    throw new Error(
      `${command.join(" ")} failed (${result.exitCode}): ${result.stderr.toString()}${result.stdout.toString()}`,
    );
  }
}

// A last resort for a process that ends without its afterAll (a crash): stop the servers.
const live = new Set<() => void>();
process.on("exit", () => {
  for (const stop of live) stop();
});

let counter = 0;

/** Starts a cluster; throws with the reason when PostgreSQL is not installed. */
export async function startPostgres(): Promise<PgCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL is not installed (no initdb): install 'postgresql'");
  const owner = postgresUser();
  const root = mkdtempSync(join(tmpdir(), "goodseed-pg-"));
  const dataDir = join(root, "data");
  if (owner) chownSync(root, owner.uid, owner.gid);
  const asPostgres = owner !== undefined;
  run(
    [
      join(bin, "initdb"),
      "-D",
      dataDir,
      "-U",
      "goodseed",
      "--auth=trust",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
    ],
    asPostgres,
  );
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${root}`,
    "-c listen_addresses=127.0.0.1",
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c max_connections=200",
  ].join(" ");
  const log = join(root, "server.log");
  const startServer = () =>
    run([join(bin, "pg_ctl"), "-D", dataDir, "-o", options, "-l", log, "-w", "start"], asPostgres);
  const stopServer = () => {
    const argv = [join(bin, "pg_ctl"), "-D", dataDir, "-m", "fast", "-w", "stop"];
    Bun.spawnSync(asPostgres ? ["runuser", "-u", "postgres", "--", ...argv] : argv, {
      stdout: "ignore",
      stderr: "ignore",
    });
  };
  startServer();
  const url = `postgres://goodseed@127.0.0.1:${port}/postgres`;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    live.delete(stop);
    stopServer();
    rmSync(root, { recursive: true, force: true });
  };
  live.add(stop);
  return {
    url,
    port,
    dataDir,
    async createDatabase() {
      const name = `t${process.pid}_${++counter}`;
      const admin = new SQL(url, { max: 1 });
      try {
        await admin.unsafe(`CREATE DATABASE ${name}`);
      } finally {
        await admin.close();
      }
      return `postgres://goodseed@127.0.0.1:${port}/${name}`;
    },
    stopServer,
    startServer,
    stop,
    async [Symbol.asyncDispose]() {
      stop();
    },
  };
}
