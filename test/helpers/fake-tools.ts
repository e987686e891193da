/**
 * Fake `nvidia-smi` and `rocm-smi` executables, and a PATH that holds only them, so a
 * machine's real GPU tools never answer in their place.
 */

import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type FakeBehaviour = { output: string } | "hang" | "garbage" | "fail";

export function fakeTool(
  binDir: string,
  name: "nvidia-smi" | "rocm-smi",
  behaviour: FakeBehaviour,
): void {
  mkdirSync(binDir, { recursive: true });
  // Every start is noted in <tool>.calls: since one query runs at a time, a second start
  // proves the first was answered (or, for a hanging tool, killed).
  let body = 'echo "$$" >> "$0.calls"\n';
  if (behaviour === "hang") body += `exec ${Bun.which("sleep") ?? "/bin/sleep"} 59.99`;
  else if (behaviour === "garbage")
    body +=
      "printf 'NVIDIA-SMI has failed because it could not communicate\\n%%s\\n' '@@ garbage ,, ::'";
  else if (behaviour === "fail") body += "exit 9";
  else
    body += `${Bun.which("cat") ?? "/bin/cat"} <<'GOODSEED_FAKE'\n${behaviour.output}\nGOODSEED_FAKE`;
  const file = join(binDir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
}

/** A PATH of `binDir` alone: the fakes in it, and no real GPU tool. */
export function onlyFakes(binDir: string): string {
  mkdirSync(binDir, { recursive: true });
  return binDir;
}
