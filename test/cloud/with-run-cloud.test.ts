import { describe, expect, it } from "bun:test";
import { type Run, withRun } from "../../src/index.ts";
import { type FakeSnapshot, startFakeRemoteProcess } from "../helpers/fake-remote.ts";
import { rejected } from "../helpers/runs.ts";
import { runScript } from "../helpers/scripts.ts";
import { tempDir } from "../helpers/temp-dir.ts";

const POINTS = 500;

/** A cloud run that logs POINTS points and then ends as `ending` says. */
function script(ending: string): string {
  return `
const options = { project: "acme/vision", runId: "ended", storage: "cloud", apiKey: "test-key",
  captureStdout: false, captureStderr: false, captureHardwareMetrics: false, gitRef: false };
${ending}
`;
}

const LOG = `for (let step = 0; step < ${POINTS}; step++) run.log("loss", 1 / (step + 1), { step });`;

/** What the remote holds of the one run: its status, metric count and traceback text. */
function uploaded(snapshot: FakeSnapshot) {
  const run = snapshot.runs[0];
  const traceback = Object.entries(run?.strings ?? {}).find(([key]) =>
    key.split("\u0000")[0]?.endsWith("/traceback"),
  )?.[1];
  return {
    runs: snapshot.runs.length,
    status: run?.status,
    metrics: Object.keys(run?.metrics ?? {}).length,
    traceback: typeof traceback === "string" ? traceback : undefined,
  };
}

describe("withRun on a cloud run", () => {
  it("uploads the status, every point and the traceback before the failing process exits, as close('failed') does", async () => {
    await using fake = await startFakeRemoteProcess();
    await using closedDir = tempDir();
    const closed = await runScript(
      script(`const run = new Run(options);
${LOG}
run.log(\`\${run.monitoringNamespace}/traceback\`, "Error: diverged", { step: 0 });
await run.close("failed");`),
      { home: closedDir.path, env: { GOODSEED_API_URL: fake.url }, timeoutMs: 60_000 },
    );
    expect(closed.exitCode).toBe(0);
    const viaClose = uploaded(await fake.state());
    expect(viaClose).toMatchObject({ runs: 1, status: "failed", metrics: POINTS });
    expect(viaClose.traceback).toContain("diverged");

    await using fake2 = await startFakeRemoteProcess();
    await using dir = tempDir();
    const failed = await runScript(
      script(`await withRun(options, async (run) => {
  ${LOG}
  throw new Error("diverged");
});`),
      { home: dir.path, env: { GOODSEED_API_URL: fake2.url }, timeoutMs: 60_000 },
    );
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain("diverged");
    const viaWithRun = uploaded(await fake2.state());
    expect(viaWithRun).toMatchObject({ runs: 1, status: "failed", metrics: POINTS });
    expect(viaWithRun.traceback).toContain("Error: diverged");
  }, 90_000);

  it("has drained the upload when the rejection arrives, so wait() afterwards has nothing left", async () => {
    await using fake = await startFakeRemoteProcess();
    await using dir = tempDir();
    const saved = process.env.GOODSEED_API_URL;
    process.env.GOODSEED_API_URL = fake.url;
    let captured: Run | undefined;
    try {
      const error = await rejected(() =>
        withRun(
          {
            project: "acme/vision",
            runId: "in-process",
            storage: "cloud",
            apiKey: "test-key",
            goodseedHome: dir.path,
            captureStdout: false,
            captureStderr: false,
            captureHardwareMetrics: false,
            gitRef: false,
          },
          (run) => {
            captured = run;
            for (let step = 0; step < POINTS; step++) run.log("loss", step, { step });
            throw new Error("diverged in process");
          },
        ),
      );
      expect(error.message).toBe("diverged in process");
    } finally {
      if (saved === undefined) delete process.env.GOODSEED_API_URL;
      else process.env.GOODSEED_API_URL = saved;
    }
    const atRejection = uploaded(await fake.state());
    expect(atRejection).toMatchObject({ runs: 1, status: "failed", metrics: POINTS });
    expect(atRejection.traceback).toContain("diverged in process");
    expect(captured?.closed).toBe(true);
    await captured?.wait({ timeoutMs: 5_000 });
    expect(uploaded(await fake.state()).status).toBe("failed");
  }, 60_000);
});
