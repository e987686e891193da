/**
 * The web UI on `goodseed server`: a browser signs in once with a key at /signin and
 * then sees the uploaded runs in the runs table and their metric drawn in a chart, and
 * renames and tags runs with the run editor (stored on the server).
 */

import { afterAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { launch } from "../helpers/browser.ts";
import { call, keyFor, teamServer, useTeamServers } from "../helpers/team-server.ts";
import { compatHome, REPO_ROOT } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

useTeamServers();

let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
});

describe("the web UI on goodseed server", () => {
  it("signs in with a key, then lists the uploaded runs and charts a metric", async () => {
    await using team = await teamServer("sqlite", { homeWorkspace: "default" });
    const key = await keyFor(team.databaseUrl, ["acme"]);
    await using scratch = compatHome();
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env))
      if (value !== undefined && !name.startsWith("GOODSEED_")) env[name] = value;
    const upload = Bun.spawn(
      [process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), "upload", "-p", "acme/vision"],
      {
        env: {
          ...env,
          GOODSEED_HOME: scratch.home,
          GOODSEED_API_URL: team.base,
          GOODSEED_API_KEY: key,
        },
      },
    );
    // Asynchronously: the server answering the upload runs in this process.
    expect(await upload.exited).toBe(0);

    browser = await launch();
    const page = await browser.newPage();
    expect((await page.goto(`${team.base}/api/runs`))?.status()).toBe(401);
    await page.goto(`${team.base}/signin`);
    await page.fill("#key", "gsk_000000000000_wrongwrongwrongwrongwrong");
    await page.click("button[type=submit]");
    await waitFor(
      async () => (await page.textContent("#error"))?.includes("not accepted"),
      "the refusal",
    );
    await page.fill("#key", key);
    await page.click("button[type=submit]");
    await page.waitForURL(`${team.base}/`);
    await page.waitForSelector("table.runs-table tbody tr");
    const ids = await page.$$eval("table.runs-table tbody tr", (rows) =>
      rows.map((row) => row.getAttribute("data-run")),
    );
    expect(ids.sort()).toEqual([
      "acme/vision:crash-5e1b",
      "acme/vision:matrix-7f3a",
      "acme/vision:sweep-large-88",
    ]);
    await page.check('input[aria-label="Compare sweep-large-88"]');
    const chart = page.locator('figure.chart[data-path="train/loss"]');
    await chart.scrollIntoViewIfNeeded();
    await waitFor(
      async () => (await chart.getAttribute("data-series")) === "1",
      "the chart's series",
      20_000,
    );
    expect(await chart.locator("canvas").count()).toBe(1);
    const cookies = await page.context().cookies();
    expect(cookies.find((cookie) => cookie.name === "goodseed_session")?.httpOnly).toBe(true);

    // The run editor writes to the server: a rename and a tag from the run's details,
    // then a tag on every run at once from the selection bar.
    await page.goto(`${team.base}/?run=acme%2Fvision%3Asweep-large-88`);
    await page.waitForSelector("form.run-editor");
    await page.fill('input[aria-label="Run name"]', "renamed on the team server");
    await page.fill('input[aria-label="New tag"]', "keeper");
    await page.click('form.run-editor button:has-text("Save")');
    const row = page.locator('tr[data-run="acme/vision:sweep-large-88"]');
    await waitFor(
      async () => (await row.textContent())?.includes("renamed on the team server"),
      "the new name in the table",
    );
    await waitFor(
      async () => (await row.locator(".tag").allTextContents()).includes("keeper"),
      "the tag",
    );
    expect(await page.locator("form.run-editor .edit-error").textContent()).toBe("");
    await page.click('th input[aria-label="Select every run shown"]');
    await page.fill('input[aria-label="Tag for the selected runs"]', "team");
    await page.click('.selection button:has-text("Add tag")');
    await waitFor(
      async () => (await page.locator("tbody .tag", { hasText: "team" }).count()) === 3,
      "every run tagged",
    );
    await page.close();
    // Stored on the server, as every reader sees it.
    const runs = (await call(team.base, key, "GET", "/api/runs")).json as {
      runs: { run_id: string; experiment_name: string | null }[];
    };
    expect(runs.runs.find((run) => run.run_id === "sweep-large-88")?.experiment_name).toBe(
      "renamed on the team server",
    );
    const configs = (
      (await call(team.base, key, "GET", "/api/runs/acme%2Fvision/sweep-large-88/configs"))
        .json as { configs: Record<string, unknown> }
    ).configs;
    expect(configs["sys/name"]).toBe("renamed on the team server");
    expect(configs["sys/tags"]).toEqual(expect.arrayContaining(["keeper", "team"]));
  }, 120_000);
});
