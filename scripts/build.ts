/**
 * Compiles goodseed into one self-contained executable per platform:
 *
 *   bun scripts/build.ts                 this machine's platform only
 *   bun scripts/build.ts --all           linux x64/arm64, macOS x64/arm64, Windows x64
 *   bun scripts/build.ts --target darwin-arm64 [--target …]
 *
 * Writes dist/goodseed-<os>-<arch>[.exe] and dist/SHA256SUMS. Every Worker file is an
 * extra entry point (Bun only embeds Workers it is told about); the web UI is embedded
 * through its HTML import; the version is defined at build time.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";

interface Target {
  /** `<os>-<arch>` as the file is named. */
  readonly name: string;
  /** Bun's compile target. */
  readonly bun: Bun.Build.CompileTarget;
  readonly windows: boolean;
}

const TARGETS: readonly Target[] = [
  { name: "linux-x64", bun: "bun-linux-x64", windows: false },
  { name: "linux-arm64", bun: "bun-linux-arm64", windows: false },
  { name: "darwin-x64", bun: "bun-darwin-x64", windows: false },
  { name: "darwin-arm64", bun: "bun-darwin-arm64", windows: false },
  { name: "windows-x64", bun: "bun-windows-x64", windows: true },
];

const ROOT = resolve(import.meta.dir, "..");
const WORKERS = [
  "src/writer/writer-worker.ts",
  "src/series/series-loader-worker.ts",
  "src/catalog/summary-worker.ts",
];

function hostTarget(): Target {
  const os = process.platform === "win32" ? "windows" : process.platform;
  const name = `${os}-${process.arch}`;
  const target = TARGETS.find((candidate) => candidate.name === name);
  if (!target) throw new Error(`no build target for this machine (${name})`);
  return target;
}

export async function build(
  targets: readonly Target[],
  outDir = join(ROOT, "dist"),
): Promise<string[]> {
  const version = (
    JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }
  ).version;
  mkdirSync(outDir, { recursive: true });
  const outputs: string[] = [];
  for (const target of targets) {
    const started = performance.now();
    const outfile = join(outDir, `goodseed-${target.name}${target.windows ? ".exe" : ""}`);
    const result = await Bun.build({
      entrypoints: [join(ROOT, "bin/goodseed.ts"), ...WORKERS.map((file) => join(ROOT, file))],
      compile: { target: target.bun, outfile },
      minify: true,
      bytecode: true,
      define: { GOODSEED_VERSION: JSON.stringify(version) },
    });
    if (!result.success) {
      for (const message of result.logs) console.error(message);
      throw new Error(`building ${target.name} failed`);
    }
    outputs.push(outfile);
    console.log(
      `built ${basename(outfile)} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  const sums = outputs.map((file) => {
    const hash = new Bun.CryptoHasher("sha256").update(readFileSync(file)).digest("hex");
    return `${hash}  ${basename(file)}`;
  });
  writeFileSync(join(outDir, "SHA256SUMS"), `${sums.join("\n")}\n`);
  return outputs;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      all: { type: "boolean" },
      target: { type: "string", multiple: true },
      out: { type: "string" },
    },
  });
  let targets: readonly Target[];
  if (values.all) targets = TARGETS;
  else if (values.target?.length) {
    targets = values.target.map((name) => {
      const target = TARGETS.find((candidate) => candidate.name === name);
      if (!target)
        throw new Error(
          `unknown target '${name}'; one of ${TARGETS.map((t) => t.name).join(", ")}`,
        );
      return target;
    });
  } else targets = [hostTarget()];
  const started = performance.now();
  await build(targets, values.out ? resolve(values.out) : undefined);
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
