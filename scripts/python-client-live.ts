/**
 * Runs the real Python goodseed client 0.4.0 live against `goodseed server` and checks
 * what it stored, through our HTTP API and against `goodseed serve` on the files the
 * client wrote. The client is not ours and is never in this repository: pass a checkout
 * of its source (it needs Python ≥ 3.9 with `psutil`, e.g. Debian's python3-psutil).
 *
 *   bun scripts/python-client-live.ts --client /tmp/pyclient [--database postgres://…] [--python /usr/bin/python3]
 *
 * What the client does is in python-client-live.py: a cloud run (configs, metrics with
 * ±Infinity and fractional steps, strings, tags, monitoring), its read-only read-back
 * and the workspace/project helpers; an offline run uploaded with its `goodseed upload`
 * (twice: the second sends nothing); a viewer's read-only run. Prints one line per
 * check and exits 1 if any failed.
 */

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openDatabase } from "../src/team-server/database.ts";
import { createKey } from "../src/team-server/keys.ts";
import { migrate } from "../src/team-server/migrations.ts";
import { startTeamServer } from "../src/team-server/server.ts";

// biome-ignore lint/suspicious/noExplicitAny: untyped JSON from the client and the servers, checked field by field
type Json = any;

const { values } = parseArgs({
  options: {
    client: { type: "string" },
    database: { type: "string" },
    python: { type: "string", default: "python3" },
  },
});
if (!values.client) {
  console.error(
    "usage: bun scripts/python-client-live.ts --client <goodseed-cli checkout> [--database URL]",
  );
  process.exit(2);
}
const clientSrc = join(values.client, "src");
const python = values.python as string;
const scratch = mkdtempSync(join(tmpdir(), "goodseed-pylive-"));
const pyHome = join(scratch, "py");
mkdirSync(pyHome);
const databaseUrl = values.database ?? `sqlite://${join(scratch, "server.sqlite")}`;
let failures = 0;
function check(what: string, ok: boolean, detail?: unknown): void {
  if (!ok) failures++;
  console.log(
    `${ok ? "ok  " : "FAIL"} ${what}${ok || detail === undefined ? "" : `: ${JSON.stringify(detail)}`}`,
  );
}
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
/** The rows of a metrics or string-series answer that only one side has. */
function differing(x: Json, y: Json): unknown {
  const rows = (body: Json): unknown[] => body?.metrics ?? body?.string_series ?? [body];
  const mine = new Set(rows(x).map((row) => JSON.stringify(row)));
  const theirs = new Set(rows(y).map((row) => JSON.stringify(row)));
  return {
    server_only: rows(x)
      .filter((row) => !theirs.has(JSON.stringify(row)))
      .slice(0, 5),
    serve_only: rows(y)
      .filter((row) => !mine.has(JSON.stringify(row)))
      .slice(0, 5),
  };
}

const db = await openDatabase(databaseUrl);
await migrate(db);
const member = (await createKey(db, { name: "py", workspaces: ["acme"], role: "member" })).key;
const viewer = (await createKey(db, { name: "view", workspaces: ["acme"], role: "viewer" })).key;
await db.close();
const server = await startTeamServer({ databaseUrl, port: 0 });
const base = server.url.replace(/\/$/, "");
const env: Record<string, string> = {};
for (const [name, value] of Object.entries(process.env))
  if (value !== undefined && !name.startsWith("GOODSEED_")) env[name] = value;

async function py(
  args: string[],
  key: string,
): Promise<{ code: number; out: string; err: string }> {
  const child = Bun.spawn([python, ...args], {
    cwd: pyHome,
    env: { ...env, GOODSEED_HOME: pyHome, GOODSEED_API_URL: base, GOODSEED_API_KEY: key },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, out, err };
}
const driver = (mode: string, key: string, ...rest: string[]) =>
  py([join(import.meta.dir, "python-client-live.py"), clientSrc, mode, "acme", ...rest], key);
const lastJson = (text: string): Record<string, Json> =>
  JSON.parse(text.trim().split("\n").at(-1) as string);
async function get(path: string, key = member, at = base): Promise<Json> {
  const response = await fetch(`${at}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return response.json();
}

try {
  console.log(`goodseed server at ${base} on ${server.db.location}; Python home ${pyHome}`);
  // 1. A cloud run, live.
  const live = await driver("live", member);
  check("the live cloud run exits 0", live.code === 0, live.err.slice(-2000));
  const out = lastJson(live.out);
  console.log(`     client ${out.version}; NaN: ${out.nan}`);
  check("client version 0.4.0", out.version === "0.4.0", out.version);
  check("auth/me resolves the default workspace", out.project === "acme/live", out.project);
  const back = out.read_back;
  check(
    "read-only: metric paths",
    same(
      back.metric_paths.filter((p: string) => !p.startsWith("monitoring/")),
      ["eval/acc", "eval/f1", "train/frac", "train/loss"],
    ),
    back.metric_paths,
  );
  check(
    "read-only: hardware monitoring uploaded",
    back.metric_paths.some((p: string) => p.endsWith("/cpu")),
    back.metric_paths,
  );
  const raw = back.loss?.raw_points ?? [];
  check(
    "read-only: train/loss has 52 raw points, ±Infinity at 51 and 52",
    raw.length === 52 && raw[50]?.y === "Infinity" && raw[51]?.y === "-Infinity",
    raw.slice(-3),
  );
  check(
    "read-only: fractional steps (truncated by the client, last write wins)",
    same(
      back.frac?.raw_points?.map((p: Json) => [p.step, p.y]),
      [
        [0, 0.5],
        [1, 1.75],
      ],
    ),
    back.frac,
  );
  check(
    "read-only: strings",
    same(
      back.notes?.map((p: Json) => p.value),
      ['hello\tworld "q" \\ é', "second line\nnext"],
    ),
    back.notes,
  );
  check(
    "read-only: configs",
    same(back.configs["parameters/lr"], ["float", "0.001"]) &&
      same(back.configs.big, ["int", "9223372036854775807"]) &&
      same(back.configs["sys/tags"], ["string_set", '["b", "c"]']) &&
      same(back.configs["parameters/nested/x"]?.[0], "null"),
    back.configs,
  );
  check(
    "me/workspaces",
    out.me?.name === "acme" && same(out.workspaces, [{ name: "acme", role: "member" }]),
    [out.me, out.workspaces],
  );
  check(
    "ensure_project creates, then finds",
    out.ensure_new?.created === true && out.ensure_again?.created === false,
    [out.ensure_new, out.ensure_again],
  );
  check(
    "list_runs",
    out.runs?.[0]?.run_id === "py-live" && out.runs?.[0]?.status === "finished",
    out.runs,
  );

  // 2. An offline run, uploaded by the client's own `goodseed upload`, twice.
  const offline = await driver("offline", member);
  check("the offline run exits 0", offline.code === 0, offline.err.slice(-2000));
  const uploadArgs = [
    "-c",
    `import sys; sys.path.insert(0, ${JSON.stringify(clientSrc)}); sys.argv = ["goodseed", "upload", "-p", "acme/offline"]; from goodseed.cli import main; sys.exit(main())`,
  ];
  const first = await py(uploadArgs, member);
  check(
    "goodseed upload (Python) uploads",
    first.code === 0 && /Uploaded [1-9]\d* item/.test(first.out),
    first.out + first.err,
  );
  const again = await py(uploadArgs, member);
  check(
    "a second upload sends nothing",
    again.code === 0 && /Uploaded 0 item/.test(again.out),
    again.out,
  );

  // 3. A viewer's read-only run: it registers to learn the id.
  const viewing = lastJson((await driver("readonly", viewer, "py-offline")).out);
  check(
    "a viewer's read-only run reads",
    same(viewing.read_back?.metric_paths, ["train/loss"]),
    viewing,
  );
  const missing = lastJson((await driver("readonly", viewer, "no-such-run")).out);
  check(
    "a viewer's read-only run of a missing run is refused",
    /Access denied/.test(missing.error ?? ""),
    missing,
  );

  // 4. Our HTTP API, and `goodseed serve` on the files the client wrote.
  const port = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const servePort = port.port as number;
  await port.stop(true);
  const serve = Bun.spawn(
    [
      process.execPath,
      join(import.meta.dir, "../bin/goodseed.ts"),
      "serve",
      join(pyHome, "projects"),
      "--port",
      String(servePort),
    ],
    { env, stdout: "ignore", stderr: "ignore" },
  );
  const local = `http://127.0.0.1:${servePort}`;
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(`${local}/api/projects`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await Bun.sleep(50);
  }
  try {
    const loss = await get("/api/runs/acme%2Flive/py-live/metrics?path=train%2Floss");
    check(
      "server: train/loss points",
      loss.metrics.length === 52 && loss.metrics[51].value === "-Infinity",
      loss.metrics.slice(-2),
    );
    const offlineLoss = await get("/api/runs/acme%2Foffline/py-offline/metrics?path=train%2Floss");
    check(
      "server: the uploaded run's 2001 points",
      offlineLoss.metrics.length === 2001 && offlineLoss.metrics[2000].value === "-Infinity",
      offlineLoss.metrics.length,
    );
    const nul = await get("/api/runs/acme%2Foffline/py-offline/string_series");
    check(
      "server: a string with U+0000",
      nul.string_series?.find((row: Json) => row.path === "notes")?.value === "line\u0000with nul",
      nul,
    );
    const ours = (await get("/api/runs")).runs as Record<string, unknown>[];
    const theirs = (await get("/api/runs", member, local)).runs as Record<string, unknown>[];
    for (const run of theirs) {
      const mine = ours.find((r) => r.project === run.project && r.run_id === run.run_id);
      const drop = ({ created_at: _c, closed_at: _d, ...rest }: Record<string, unknown>) => rest;
      check(
        `/api/runs ${run.project}/${run.run_id} as goodseed serve (but created_at/closed_at)`,
        mine !== undefined && same(drop(mine), drop(run)),
        [mine, run],
      );
      console.log(
        `     created_at ${String(mine?.created_at)} (server) vs ${String(run.created_at)} (file); closed_at ${String(mine?.closed_at)} vs ${String(run.closed_at)}`,
      );
      const name = `${encodeURIComponent(String(run.project))}/${encodeURIComponent(String(run.run_id))}`;
      for (const path of [
        `/api/runs/${name}/configs`,
        `/api/runs/${name}/metrics`,
        `/api/runs/${name}/string_series`,
      ]) {
        // The client truncates fractional steps toward zero before it sends them
        // (FORMAT.md §15): its file keeps train/frac at 0.5, 1.25 and 1.75, the server
        // gets 0 and 1. Every other point must be the same.
        const fractional = (body: Json) =>
          body.metrics
            ? { ...body, metrics: body.metrics.filter((row: Json) => row.path !== "train/frac") }
            : body;
        const a = fractional(await get(path));
        const b = fractional(await get(path, member, local));
        check(`${path} as goodseed serve answers`, same(a, b), differing(a, b));
      }
    }
  } finally {
    serve.kill();
    await serve.exited;
  }
} finally {
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
console.log(failures === 0 ? "all checks passed" : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
