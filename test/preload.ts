// Runs before any test file imports src/: every piece of state points at a temp dir,
// and no goodseed setting of the developer's shell leaks into the tests.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

for (const key of Object.keys(process.env)) {
  if (key.startsWith("GOODSEED_")) delete process.env[key];
}
process.env.GOODSEED_HOME = mkdtempSync(join(tmpdir(), "goodseed-test-home-"));
