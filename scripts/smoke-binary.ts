/**
 * Smoke test of a compiled binary, run alone from an empty directory (no source
 * tree, no node_modules, no Bun on PATH): `--version`, `list` on a home with runs,
 * and `serve` answering `/api/projects` and the UI page at `/`.
 *
 *   bun scripts/smoke-binary.ts [dist/goodseed-linux-x64]
 */

import { chmodSync, copyFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "..");
const source = resolve(
  process.argv[2] ?? join(ROOT, "dist", `goodseed-${process.platform}-${process.arch}`),
);
const dir = mkdtempSync(join(tmpdir(), "goodseed-smoke-"));
const binary = join(dir, basename(source));
const home = join(dir, "home");
let failures = 0;

function check(label: string, ok: boolean, detail = ""): void {
  console.log(`${ok ? "ok  " : "FAIL"} ${label}${detail ? `: ${detail}` : ""}`);
  if (!ok) failures++;
}

async function run(args: string[]): Promise<{ code: number; stdout: string }> {
  const child = Bun.spawn([binary, ...args], {
    cwd: dir,
    env: { HOME: dir, GOODSEED_HOME: home, PATH: "/usr/bin:/bin" },
    stdout: "pipe",
    stderr: "inherit",
  });
  const stdout = await new Response(child.stdout).text();
  return { code: await child.exited, stdout };
}

try {
  copyFileSync(source, binary);
  chmodSync(binary, 0o755);
  cpSync(join(ROOT, "test/fixtures/compat/home"), home, { recursive: true });
  const version = await run(["--version"]);
  check(
    "--version",
    version.code === 0 && /^goodseed \d+\.\d+\.\d+/.test(version.stdout),
    version.stdout.trim(),
  );
  const list = await run(["list", "-p", "acme/vision"]);
  check(
    "list",
    list.code === 0 && list.stdout.includes("sweep-large-88"),
    `${list.stdout.split("\n").length} lines`,
  );

  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = probe.port as number;
  await probe.stop(true);
  const server = Bun.spawn([binary, "serve", "--port", String(port)], {
    cwd: dir,
    env: { HOME: dir, GOODSEED_HOME: home, PATH: "/usr/bin:/bin" },
    stdout: "ignore",
    stderr: "inherit",
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    let projects: Response | undefined;
    while (!projects && Date.now() < deadline) {
      projects = await fetch(`${base}/api/projects`).catch(() => undefined);
      if (!projects) await Bun.sleep(20);
    }
    const body = projects ? ((await projects.json()) as { projects: unknown[] }) : { projects: [] };
    check("serve /api/projects", projects?.status === 200 && body.projects.length === 2);
    const page = await fetch(`${base}/`);
    const html = await page.text();
    check("serve / (the UI page)", page.status === 200 && html.includes("<title>goodseed</title>"));
    const script = /src="([^"]+\.js)"/.exec(html)?.[1];
    const asset = script ? await fetch(new URL(script, base)) : undefined;
    check("serve the UI's script", asset?.status === 200);
  } finally {
    server.kill();
    await server.exited;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(failures === 0 ? "smoke test passed" : `${failures} smoke check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
