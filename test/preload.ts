// Runs before any test file imports src/: every piece of state points at a temp dir,
// and no goodseed setting of the developer's shell leaks into the tests.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Variables that describe the test machine, not goodseed settings: .ci/run sets them. */
const TEST_MACHINE = new Set(["GOODSEED_PG_BIN"]);

for (const key of Object.keys(process.env)) {
  if (key.startsWith("GOODSEED_") && !TEST_MACHINE.has(key)) delete process.env[key];
}
process.env.GOODSEED_HOME = mkdtempSync(join(tmpdir(), "goodseed-test-home-"));
