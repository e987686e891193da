/** `/api/configs`: many runs' configs in one answer (each store: test/api/read-store.contract.ts). */

import { describe, expect, it } from "bun:test";
import { appFor, request } from "../helpers/server.ts";
import { compatHome } from "../helpers/temp-dir.ts";

describe("GET /api/configs", () => {
  it("answers in the order asked, a run asked twice twice, with the server's CORS answer", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const batch = await request(
      app,
      "/api/configs?run=default%2Flive-91aa&run=acme%2Fvision%2Fmatrix-7f3a&run=default%2Flive-91aa",
    );
    expect(batch.status).toBe(200);
    expect(batch.headers.get("access-control-allow-origin")).toBe("*");
    expect(
      batch.body.runs.map((entry: { project: string; run_id: string }) => [
        entry.project,
        entry.run_id,
      ]),
    ).toEqual([
      ["default", "live-91aa"],
      ["acme/vision", "matrix-7f3a"],
      ["default", "live-91aa"],
    ]);
    const one = await request(app, "/api/runs/acme/vision/matrix-7f3a/configs");
    expect(batch.body.runs[1].configs).toEqual(one.body.configs);
    expect(Object.keys(one.body.configs).length).toBeGreaterThan(3);
  });

  it("answers bad parameters with 400 and a message that says what to send", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const cases: [string, RegExp][] = [
      ["", /run is required/],
      ["path=x", /run is required/],
      ["run=live-91aa", /project\/runId/],
      ["run=default%2F", /project\/runId/],
    ];
    for (const [query, message] of cases) {
      const answer = await request(app, `/api/configs?${query}`);
      expect([query, answer.status]).toEqual([query, 400]);
      expect(answer.body.error).toMatch(message);
    }
    const many = Array.from({ length: 2001 }, () => "run=default%2Flive-91aa").join("&");
    const tooMany = await request(app, `/api/configs?${many}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatch(/At most 2000/);
  });
});
