import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { buildUiFixtureHome, startLiveRuns } from "../../scripts/ui-fixture-home.ts";
import { createFileApp } from "../../src/cli/serve.ts";
import { type Listening, listen } from "../../src/server/listen.ts";
import { screenshot } from "../helpers/browser.ts";
import { localRun } from "../helpers/runs.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { closeServeAndBrowser, serveAndLaunch } from "../helpers/ui-server.ts";
import { waitFor } from "../helpers/wait.ts";

const dir = tempDir("goodseed-ui-table-");
const home = join(dir.path, "home");
let browser: Browser;
let server: Listening;

beforeAll(async () => {
  buildUiFixtureHome(home, { millionPoints: 5000 });
  ({ server, browser } = await serveAndLaunch(join(home, "projects")));
}, 60_000);

afterAll(async () => {
  await closeServeAndBrowser(browser, server);
  dir[Symbol.dispose]();
});

async function open(path: string, width = 1400, dark = false): Promise<Page> {
  const page = await browser.newPage({
    viewport: { width, height: 1000 },
    colorScheme: dark ? "dark" : "light",
  });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(new URL(path, server.url).href);
  await page.waitForSelector("table.runs-table tbody tr");
  expect(errors).toEqual([]);
  return page;
}

const rows = (page: Page) => page.locator("table.runs-table tbody tr[data-run]");

/** The text of each visible row's cell under the header whose title is `title`. */
async function column(page: Page, title: string): Promise<string[]> {
  const titles = await page.$$eval("table.runs-table thead tr > th", (cells) =>
    cells.map((cell) => cell.querySelector("button")?.getAttribute("title") ?? ""),
  );
  const index = titles.indexOf(title);
  return page.$$eval(
    "table.runs-table tbody tr[data-run]",
    (found, i) => found.map((row) => row.children[i]?.textContent ?? ""),
    index,
  );
}

async function waitRows(page: Page, count: number, what: string): Promise<void> {
  await waitFor(async () => (await rows(page).count()) === count, what);
}

describe("the runs table", () => {
  it("sorts numbers as numbers, ascending and descending", async () => {
    const page = await open(
      "/?project=sweep%2Flr&cols=config:parameters/batch_size,config:parameters/lr&sort=config:parameters/batch_size&order=asc",
    );
    await waitFor(
      async () => (await column(page, "config parameters/batch_size")).every((v) => v !== ""),
      "every batch size",
    );
    const batches = (await column(page, "config parameters/batch_size")).map(Number);
    expect(batches).toHaveLength(16);
    expect(batches).toEqual([...batches].sort((a, b) => a - b));
    expect(batches[0]).toBe(64);
    expect(batches.at(-1)).toBe(512);
    // A first click on a column sorts it ascending.
    await page.click('th button[title="config parameters/lr"]');
    await waitFor(async () => page.url().includes("sort=config%3Aparameters%2Flr"), "the lr sort");
    expect(page.url()).toContain("order=asc");
    const lrs = (await column(page, "config parameters/lr")).map(Number);
    expect(lrs[0]).toBe(1e-7);
    expect(lrs).toEqual([...lrs].sort((a, b) => a - b));
    await page.click('th button[title="config parameters/lr"]');
    await waitFor(async () => !page.url().includes("order=asc"), "descending");
    const down = (await column(page, "config parameters/lr")).map(Number);
    expect(down).toEqual([...lrs].sort((a, b) => b - a));
    await screenshot(page, "table-sorted");
    await page.close();
  }, 60_000);

  it("filters on values as you type, and offers to clear filters when nothing matches", async () => {
    const page = await open("/?project=sweep%2Flr");
    await waitRows(page, 16, "the sweep");
    const search = page.locator('input[type="search"]').first();
    // Typed, not submitted: the table follows each keystroke.
    await search.pressSequentially("lr < 1e-3");
    await waitRows(page, 8, "runs with lr below 1e-3");
    await search.pressSequentially(", optimizer = adam");
    await waitRows(page, 5, "adam runs with lr below 1e-3");
    expect(page.url()).toContain("q=lr");
    // Without the comma, the same two filters.
    await search.fill("lr < 1e-3 optimizer = adam");
    await waitRows(page, 5, "adam runs with lr below 1e-3, no comma");
    // A key no run has says so.
    await search.fill("lr < 1e-3, fooo > 1");
    await waitFor(
      async () =>
        (await page.locator("tr.empty").textContent())?.includes(
          "No config or metric of these runs is called “fooo”",
        ),
      "the unknown key named",
    );
    await search.fill("val/acc > 2");
    await waitFor(
      async () => (await page.locator("tr.empty").textContent())?.includes("No runs match"),
      "the empty message",
    );
    await screenshot(page, "table-empty");
    await page.click('button:has-text("Clear filters")');
    await waitRows(page, 16, "every run again");
    expect(await search.inputValue()).toBe("");
    await search.fill("sweep-1");
    await waitRows(page, 6, "ids with sweep-1");
    await page.close();
    // A project the server does not have is not an empty one.
    const unknown = await open("/?project=no%2Fsuch");
    await waitFor(
      async () =>
        (await unknown.locator("tr.empty").textContent())?.includes(
          "There are no runs in project “no/such” on this server",
        ),
      "the unknown project named",
    );
    await unknown.close();
  }, 60_000);

  it("suggests columns as you type without prefixes, with short headers and the full path on hover", async () => {
    const page = await open("/?project=sweep%2Flr");
    const picker = page.getByRole("combobox", { name: "Add column" });
    await waitFor(async () => {
      await picker.fill("");
      await picker.pressSequentially("lr");
      return (await page.locator(".suggestions li .key").first().textContent()) === "parameters/lr";
    }, "lr suggested as parameters/lr");
    await page.keyboard.press("Enter");
    await page.waitForSelector('th button[title="config parameters/lr"]');
    expect(await page.textContent('th button[title="config parameters/lr"]')).toBe("lr");
    await picker.pressSequentially("val/loss");
    const kinds = await page.locator(".suggestions li .kind").allTextContents();
    expect(kinds.slice(0, 3)).toEqual(["last", "min", "max"]);
    await page.locator(".suggestions li", { hasText: "min" }).first().dispatchEvent("mousedown");
    const header = page.locator('th button[title="val/loss: smallest value"]');
    expect(await header.textContent()).toBe("loss (min)");
    await waitFor(
      async () => (await column(page, "val/loss: smallest value")).every((v) => Number(v) > 0),
      "every run's smallest val/loss",
    );
    expect(page.url()).toContain("min%3Aval%2Floss");
    await screenshot(page, "table-columns");
    await page.close();
  }, 60_000);

  it("selects every shown run and clears them again", async () => {
    const page = await open("/?project=sweep%2Fseeds");
    await waitRows(page, 14, "the seeds");
    await page.click('th input[aria-label="Select every run shown"]');
    await waitFor(
      async () => (await page.locator("tbody input[type=checkbox]:checked").count()) === 14,
      "every row ticked",
    );
    expect(await page.textContent(".selection strong")).toBe("14 selected");
    await page.click('button:has-text("Clear selection")');
    await waitFor(
      async () => (await page.locator("tbody input[type=checkbox]:checked").count()) === 0,
      "no row ticked",
    );
    expect(page.url()).not.toContain("runs=");
    await page.close();
  }, 60_000);

  it("folds into groups by a config value, with counts", async () => {
    const page = await open("/?project=sweep%2Flr&group=optimizer");
    await waitFor(async () => (await page.locator("tr.group").count()) === 2, "two groups");
    const groups = await page.locator("tr.group button.fold").allTextContents();
    expect(groups).toEqual([
      "▸ parameters/optimizer = adam 10 runs",
      "▸ parameters/optimizer = sgd 6 runs",
    ]);
    expect(await rows(page).count()).toBe(0);
    await page.click('tr.group button.fold:has-text("sgd")');
    await waitRows(page, 6, "the sgd runs unfolded");
    await screenshot(page, "table-groups");
    await page.close();
  }, 60_000);

  it("hands its groups to the charts: one line per group, with the group's count", async () => {
    const page = await open("/?project=sweep%2Fseeds&group=lr");
    await waitFor(async () => (await page.locator("tr.group").count()) >= 2, "the lr groups");
    await page.click('th input[aria-label="Select every run shown"]');
    const legend = page.locator(".chart-board .legend li");
    await waitFor(async () => (await legend.count()) === 4, "a legend of four groups");
    const labels = await legend.allTextContents();
    expect(labels.every((label) => /^lr = .+ \(\d+\)$/.test(label))).toBe(true);
    const counts = labels.map((label) => Number(/\((\d+)\)$/.exec(label)?.[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(14);
    await screenshot(page, "groups-charts");
    await page.close();
  }, 60_000);

  it("draws an unfolded group's runs on the charts and a folded group's mean, keeping the group's colour", async () => {
    const page = await open("/?project=sweep%2Fseeds&group=lr");
    await waitFor(async () => (await page.locator("tr.group").count()) >= 2, "the lr groups");
    await page.click('th input[aria-label="Select every run shown"]');
    const chart = page.locator('figure.chart[data-path="train/loss"]');
    const legend = page.locator(".chart-board .legend li");
    const series = () => chart.getAttribute("data-series");
    await waitFor(async () => (await series()) === "4", "four group lines");
    const groupColors = async () =>
      new Map(
        await legend.evaluateAll((items) =>
          items.map((item) => [
            item.textContent ?? "",
            item.firstElementChild?.getAttribute("style") ?? "",
          ]),
        ),
      );
    const folded = await groupColors();
    const fold = page.locator("tr.group button.fold").first();
    // The table says `parameters/lr = 0.0001 3 runs`, the legend `lr = 0.0001 (3)`.
    const label = ((await fold.textContent()) ?? "")
      .replace(/^▸ /, "")
      .replace(/ \d+ runs?$/, "")
      .replace(/^[^ ]*\//, "");
    const size = Number(/(\d+) runs?$/.exec((await fold.textContent()) ?? "")?.[1]);
    expect(size).toBeGreaterThan(1);
    expect(await legend.allTextContents()).toContain(`${label} (${size})`);
    // Unfolded: that group's runs one by one, in their own colours; the others still as means.
    await fold.click();
    await waitFor(
      async () => (await series()) === String(3 + size),
      "the unfolded group's runs drawn",
    );
    const unfolded = await legend.allTextContents();
    expect(unfolded).toHaveLength(3 + size);
    expect(unfolded.some((text) => text.startsWith(label))).toBe(false);
    const lines = await chart.evaluate(
      (element) =>
        (element as unknown as { plotLines: { label: string; color: string }[] }).plotLines,
    );
    expect(new Set(lines.map((line) => line.color)).size).toBe(3 + size);
    await screenshot(page, "groups-unfolded");
    // The unfolded group is in the URL: a reload (or a link) draws the same.
    expect(page.url()).toContain("unfold=");
    await page.reload();
    await waitFor(
      async () => (await series()) === String(3 + size),
      "the unfolded group's runs drawn after a reload",
    );
    expect(await page.locator("tr.group button.fold").first().getAttribute("aria-expanded")).toBe(
      "true",
    );
    // Folded again: its mean is back, in the colour it had.
    await fold.click();
    await waitFor(async () => (await series()) === "4", "the group's mean again");
    expect(await groupColors()).toEqual(folded);
    // The colour of a group does not depend on which of its runs are compared.
    await page.click('th input[aria-label="Clear the selection"]');
    await page.locator("tr.group input[type=checkbox]").first().check();
    await waitFor(async () => (await legend.count()) === 1, "one group compared");
    const [[text, color]] = [...(await groupColors())] as [[string, string]];
    expect(
      folded.get(
        [...folded.keys()].find((key) => key.startsWith(text.replace(/ \(\d+\)$/, ""))) ?? "",
      ),
    ).toBe(color);
    await page.close();
  }, 60_000);

  it("draws parallel coordinates over the varying configs, and a drag on an axis filters the table", async () => {
    const page = await open("/?project=sweep%2Flr&sweep=1&metric=min:val/loss");
    const parallel = page.locator("figure.parallel");
    await waitFor(
      async () =>
        (await parallel.getAttribute("data-lines")) === "16" &&
        (await parallel.getAttribute("data-axes")) === "6",
      "16 lines over 6 axes",
    );
    const axes = await page
      .locator("figure.parallel g.axis")
      .evaluateAll((groups) => groups.map((g) => g.getAttribute("data-axis")));
    expect(axes).toEqual([
      "parameters/batch_size",
      "parameters/lr",
      "parameters/optimizer",
      "parameters/seed",
      "parameters/warmup",
      "min:val/loss",
    ]);
    // Drag over the top three quarters of the batch-size axis (64 to 512): 256 and 512, 8 runs.
    const hit = page.locator('g.axis[data-axis="parameters/batch_size"] rect.hit');
    const box = await hit.boundingBox();
    if (!box) throw new Error("no axis");
    const x = box.x + box.width / 2;
    await page.mouse.move(x, box.y + 2);
    await page.mouse.down();
    await page.mouse.move(x, box.y + box.height * 0.75, { steps: 5 });
    await page.mouse.up();
    await waitRows(page, 8, "the runs with batch size 256 or 512");
    expect(await parallel.getAttribute("data-lines")).toBe("8");
    expect(page.url()).toContain("range=");
    // A second range, on the seed axis: Back takes it away alone, Forward brings it back.
    const firstRange = new URL(page.url()).searchParams.getAll("range");
    const seedHit = page.locator('g.axis[data-axis="parameters/seed"] rect.hit');
    const seedBox = await seedHit.boundingBox();
    if (!seedBox) throw new Error("no seed axis");
    await page.mouse.move(seedBox.x + seedBox.width / 2, seedBox.y + 2);
    await page.mouse.down();
    await page.mouse.move(seedBox.x + seedBox.width / 2, seedBox.y + seedBox.height * 0.4, {
      steps: 5,
    });
    await page.mouse.up();
    await waitFor(async () => (await rows(page).count()) < 8, "fewer runs with two ranges");
    const twoRanges = await rows(page).count();
    await page.goBack();
    await waitRows(page, 8, "the first range alone after Back");
    expect(new URL(page.url()).searchParams.getAll("range")).toEqual(firstRange);
    await page.goForward();
    await waitRows(page, twoRanges, "both ranges again after Forward");
    await page.goBack();
    await waitRows(page, 8, "the first range alone again");
    const scatter = page.locator("figure.scatter");
    await page.selectOption('select[aria-label="Scatter x axis"]', "parameters/lr");
    await page.click('label:has-text("log x") input');
    await waitFor(async () => (await scatter.getAttribute("data-points")) === "16", "16 dots");
    expect(await scatter.locator("text.name").first().textContent()).toBe("parameters/lr (log)");
    await screenshot(page, "sweep-views");
    await page.click(".ranges .chip");
    await waitRows(page, 16, "every run once the range is removed");
    // By keyboard: the lr axis takes the focus, arrows lower the top of its range.
    const lrAxis = page.locator('g.axis[data-axis="parameters/lr"]');
    await lrAxis.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowDown");
    await waitFor(async () => (await rows(page).count()) < 16, "fewer runs by keyboard");
    const kept = (await column(page, "config parameters/lr")).length;
    expect(kept).toBeGreaterThan(0);
    expect(
      await page.evaluate("document.activeElement && document.activeElement.dataset.axis"),
    ).toBe("parameters/lr");
    await page.keyboard.press("Delete");
    await waitRows(page, 16, "every run once the keyboard range is cleared");
    await page.close();
  }, 60_000);

  it("opens a run from the scatter with its details and its charts, as the table does", async () => {
    const page = await open(
      "/?project=sweep%2Flr&sweep=1&metric=min:val/loss&run=sweep%2Flr%3Asweep-03",
    );
    const legend = () => page.locator("ul.legend li").allTextContents();
    await waitFor(async () => (await legend()).join() === "lr 0.01 bs 512", "sweep-03's charts");
    const dot = page.locator('figure.scatter circle.dot[data-run="sweep/lr:sweep-10"]');
    await dot.focus();
    await page.keyboard.press("Enter");
    await waitFor(
      async () =>
        (await page.locator("section.details h2").textContent())?.startsWith("sweep-10") === true,
      "sweep-10's details",
    );
    await waitFor(
      async () => (await legend()).join() === "lr 0.000003 bs 256",
      "the charts of the run opened from the scatter",
    );
    expect(page.url()).toContain("run=sweep%2Flr%3Asweep-10");
    await page.close();
  }, 60_000);

  it("hides per-process and source-code keys from configs and the column picker unless asked", async () => {
    const page = await open("/?project=sweep%2Flr&run=sweep%2Flr%3Asweep-03");
    await page.waitForSelector("table.configs tbody tr");
    const keys = () => page.locator("table.configs td.path").allTextContents();
    expect(
      (await keys()).some((key) => key.includes("/pid") || key.startsWith("source_code/")),
    ).toBe(false);
    const picker = page.getByRole("combobox", { name: "Add column" });
    await picker.pressSequentially("pid");
    expect(await page.locator(".suggestions li").count()).toBe(0);
    await picker.fill("");
    await page.check('label:has-text("Show process and source keys") input');
    await page.click('button.link:has-text("sweep-03")');
    await waitFor(async () => (await keys()).some((key) => key.endsWith("/pid")), "the pid keys");
    expect((await keys()).some((key) => key.startsWith("source_code/"))).toBe(true);
    await page.close();
    // The config diff of two runs leaves their (differing) process ids out too.
    const diff = await open("/?runs=sweep%2Flr%3Asweep-01,sweep%2Flr%3Asweep-02");
    await diff.waitForSelector("table.diff tbody tr");
    const differing = await diff.locator("table.diff td.path").allTextContents();
    expect(differing).toContain("parameters/lr");
    expect(differing.some((key) => key.endsWith("/pid") || key.endsWith("/hostname"))).toBe(false);
    await diff.close();
  }, 60_000);

  it("renames, tags and trashes a run from its details, with Undo", async () => {
    const page = await open("/?project=sweep%2Fseeds&run=sweep%2Fseeds%3Aseed-00");
    await page.waitForSelector("form.run-editor");
    await page.fill('input[aria-label="Run name"]', "renamed in the UI");
    await page.fill('textarea[aria-label="Run description"]', "the one to keep");
    await page.fill('input[aria-label="New tag"]', "keeper");
    await page.click('form.run-editor button:has-text("Save")');
    const row = page.locator('tr[data-run="sweep/seeds:seed-00"]');
    await waitFor(
      async () => (await row.textContent())?.includes("renamed in the UI"),
      "the new name in the table",
    );
    await waitFor(
      async () => (await row.locator(".tag").allTextContents()).includes("keeper"),
      "the tag",
    );
    await screenshot(page, "details-edit");
    // Opened by its link, the run's editor holds its description and tags.
    const linked = await open("/?project=sweep%2Fseeds&run=sweep%2Fseeds%3Aseed-00");
    await linked.waitForSelector("form.run-editor .tag-editor .tag");
    // Past the first full run list and the liveness check, which redraw the details' header.
    await linked.waitForSelector('tr[data-run="sweep/seeds:seed-00"]');
    await linked.waitForTimeout(500);
    expect(await linked.inputValue('textarea[aria-label="Run description"]')).toBe(
      "the one to keep",
    );
    expect(await linked.locator("form.run-editor .tag-editor .tag").allTextContents()).toContain(
      "keeper×",
    );
    expect(await linked.textContent(".details h2")).toContain("renamed in the UI");
    await linked.close();
    await page.click('form.run-editor button:has-text("Move to trash")');
    await waitFor(async () => (await row.count()) === 0, "the run hidden in the trash");
    expect(await page.textContent(".count")).toContain("1 in the trash, hidden");
    await page.click('.notice button:has-text("Undo")');
    await waitFor(async () => (await row.count()) === 1, "the run back");
    await page.close();
  }, 60_000);

  it("takes a view change back with Back: the page shows what its URL holds", async () => {
    const page = await open("/?project=sweep%2Flr");
    await waitRows(page, 16, "the sweep");
    await page.click('tr[data-run="sweep/lr:sweep-00"] input[type=checkbox]');
    await page.click('tr[data-run="sweep/lr:sweep-05"] input[type=checkbox]');
    await waitFor(
      async () => (await page.textContent(".selection strong")) === "2 selected",
      "two runs compared",
    );
    // Typing into a box is one entry, however many keys: Back takes the text away and
    // leaves the runs ticked before it.
    await page.fill('input[type="search"]', "od");
    await page.fill('input[type="search"]', "odd");
    await waitFor(async () => (await rows(page).count()) < 16, "the search applied");
    const searched = await rows(page).count();
    await page.fill('label:has-text("Tag") input', "eve");
    await page.fill('label:has-text("Tag") input', "even");
    await waitFor(async () => new URL(page.url()).searchParams.get("tag") === "even", "tag in URL");
    // Back: the tag goes, the search stays.
    await page.goBack();
    await waitFor(
      async () => new URL(page.url()).searchParams.get("tag") === null,
      "the tag gone with one Back",
    );
    expect(await page.inputValue('label:has-text("Tag") input')).toBe("");
    expect(await page.inputValue('input[type="search"]')).toBe("odd");
    await waitRows(page, searched, "the searched runs");
    // Typing after Back is a new entry (the one Forward held is dropped): Back returns
    // to the text before it.
    await page.fill('input[type="search"]', "od");
    await waitFor(async () => new URL(page.url()).searchParams.get("q") === "od", "q=od");
    await page.goBack();
    await waitFor(
      async () => (await page.inputValue('input[type="search"]')) === "odd",
      "the search before the new typing",
    );
    await waitRows(page, searched, "the searched runs again");
    // Back: the search goes, both runs stay compared.
    await page.goBack();
    await waitFor(
      async () => (await page.inputValue('input[type="search"]')) === "",
      "the search gone with one Back",
    );
    await waitRows(page, 16, "every run of the sweep again");
    expect(await page.textContent(".selection strong")).toBe("2 selected");
    // Back: the second tick goes.
    await page.goBack();
    await waitFor(
      async () => (await page.textContent(".selection strong")) === "1 selected",
      "one run compared after Back",
    );
    expect(new URL(page.url()).searchParams.get("runs")).toBe("sweep/lr:sweep-00");
    expect(await page.isChecked('tr[data-run="sweep/lr:sweep-05"] input[type=checkbox]')).toBe(
      false,
    );
    await page.goForward();
    await waitFor(
      async () => (await page.textContent(".selection strong")) === "2 selected",
      "both runs again after Forward",
    );
    await page.goForward();
    await waitFor(
      async () => (await page.inputValue('input[type="search"]')) === "odd",
      "the search again after Forward",
    );
    // Opening a run's details is an entry: Back closes them, Forward opens them again.
    await page.goto(new URL("/?project=sweep%2Flr", server.url).href);
    await waitRows(page, 16, "the sweep again");
    await page.click('tr[data-run="sweep/lr:sweep-02"] button.link');
    await page.waitForSelector(".details table.configs tbody tr");
    await page.click('tr[data-run="sweep/lr:sweep-07"] button.link');
    await waitFor(
      async () => ((await page.textContent(".details h2")) ?? "").includes("sweep-07"),
      "the second run's details",
    );
    await page.goBack();
    await waitFor(
      async () => ((await page.textContent(".details h2")) ?? "").includes("sweep-02"),
      "the first run's details after Back",
    );
    await page.goBack();
    await waitFor(
      async () => (await page.locator(".details h2").count()) === 0,
      "no details after a second Back",
    );
    await page.goForward();
    await waitFor(
      async () => ((await page.textContent(".details h2")) ?? "").includes("sweep-02"),
      "the details again after Forward",
    );
    await page.close();
  }, 60_000);

  it("wraps a 200-character name with no space instead of widening the page", async () => {
    const page = await open("/?project=sweep%2Fseeds&run=sweep%2Fseeds%3Aseed-05");
    await page.waitForSelector("form.run-editor");
    const name = "n".repeat(200);
    await page.fill('input[aria-label="Run name"]', name);
    await page.click('form.run-editor button:has-text("Save")');
    await waitFor(
      async () => (await page.textContent('tr[data-run="sweep/seeds:seed-05"]'))?.includes(name),
      "the long name in the table",
    );
    await waitFor(async () => (await page.textContent(".details h2"))?.includes(name), "the title");
    expect(Number(await page.evaluate("document.documentElement.scrollWidth"))).toBeLessThanOrEqual(
      1400,
    );
    await page.close();
  }, 60_000);

  it("tags and trashes the selected runs at once", async () => {
    const page = await open("/?project=sweep%2Fseeds&q=seed-1");
    await waitFor(async () => (await rows(page).count()) > 1, "some runs");
    const count = await rows(page).count();
    await page.click('th input[aria-label="Select every run shown"]');
    await page.fill('input[aria-label="Tag for the selected runs"]', "bulk");
    await page.click('.selection button:has-text("Add tag")');
    await waitFor(
      async () => (await page.locator("tbody .tag", { hasText: "bulk" }).count()) === count,
      "every selected run tagged",
    );
    await page.click('.selection button:has-text("Move to trash")');
    await waitRows(page, 0, "the selected runs gone to the trash");
    // Undo brings them back, still selected.
    await page.click('.notice button:has-text("Undo")');
    await waitRows(page, count, "the runs back from the trash");
    await waitFor(
      async () => (await page.textContent(".selection strong")) === `${count} selected`,
      "the runs selected again",
    );
    await page.click('.selection button:has-text("Move to trash")');
    await waitRows(page, 0, "the selected runs gone to the trash again");
    await page.check('label:has-text("Show trashed") input');
    await waitRows(page, count, "the trashed runs, shown");
    expect(await page.locator("tr.trashed").count()).toBe(count);
    await page.close();
  }, 60_000);

  it("exports the filtered table as CSV and a run's console as text", async () => {
    const page = await open(
      "/?project=sweep%2Flr&q=optimizer%20%3D%20sgd&cols=config:parameters/lr,max:val/acc&run=sweep%2Flr%3Asweep-03",
    );
    await waitRows(page, 6, "the sgd runs");
    await waitFor(
      async () => (await column(page, "val/acc: largest value")).every((v) => v !== ""),
      "every val/acc maximum",
    );
    const [csv] = await Promise.all([
      page.waitForEvent("download"),
      page.click('button:has-text("Export CSV")'),
    ]);
    expect(csv.suggestedFilename()).toBe("goodseed-runs.csv");
    const text = await Bun.file((await csv.path()) as string).text();
    const lines = text.trim().split("\r\n");
    expect(lines[0]).toBe(
      "project,run_id,name,status,created_at,closed_at,duration_s,tags,parameters/lr,val/acc (max)",
    );
    expect(lines).toHaveLength(7);
    expect(lines.slice(1).every((line) => line.startsWith("sweep/lr,sweep-"))).toBe(true);
    // Tags as a JSON list (a tag may hold spaces or commas).
    expect(lines.slice(1).every((line) => /,"\[.*\]",/.test(line) || /,\[\],/.test(line))).toBe(
      true,
    );
    await page.waitForSelector("pre.console");
    const [log] = await Promise.all([
      page.waitForEvent("download"),
      page.click('.series button:text-is("Download")'),
    ]);
    expect(log.suggestedFilename()).toMatch(/^sweep-03-.+\.txt$/);
    expect(await Bun.file((await log.path()) as string).text()).toContain("Goodseed run: sweep-03");
    await page.close();
  }, 60_000);

  it("exports a grouped table group by group, each row with its group", async () => {
    const page = await open("/?project=sweep%2Fseeds&group=lr");
    await waitFor(async () => (await page.locator("tr.group").count()) >= 2, "the lr groups");
    const [csv] = await Promise.all([
      page.waitForEvent("download"),
      page.click('button:has-text("Export CSV")'),
    ]);
    const lines = (await Bun.file((await csv.path()) as string).text()).trim().split("\r\n");
    expect(lines[0]?.startsWith("group,project,run_id,")).toBe(true);
    const groups = lines.slice(1).map((line) => line.split(",")[0]);
    // As many rows as the groups count (tests before this one trash some seeds).
    const counts = await page.locator("tr.group .group-count").allTextContents();
    expect(groups).toHaveLength(counts.reduce((sum, text) => sum + Number.parseInt(text, 10), 0));
    // Each group's rows together, the groups in the table's order.
    const order = [...new Set(groups)];
    expect(order).toHaveLength(counts.length);
    expect(groups).toEqual(order.flatMap((group) => groups.filter((g) => g === group)));
    expect(order.every((group) => group?.startsWith("parameters/lr = "))).toBe(true);
    await page.close();
  }, 60_000);

  it("saves a failed run's whole console, what it printed and then its traceback, as one file", async () => {
    const page = await open("/?project=sweep%2Flr&run=sweep%2Flr%3Asweep-05");
    await page.waitForSelector("pre.console");
    const [file] = await Promise.all([
      page.waitForEvent("download"),
      page.click('.series button:text-is("Download console")'),
    ]);
    expect(file.suggestedFilename()).toBe("sweep-05-console.txt");
    const text = await Bun.file((await file.path()) as string).text();
    const printed = text.indexOf("Goodseed run: sweep-05");
    const traceback = text.indexOf("Traceback (most recent call last):");
    expect(printed).toBeGreaterThanOrEqual(0);
    expect(traceback).toBeGreaterThan(printed);
    expect(text).toContain("Error: loss diverged at step");
    await page.close();
  }, 60_000);

  it("downloads every line of a live run's series, also those logged since the page last looked", async () => {
    const run = localRun(home, { project: "live/chatty", runId: "chatty" });
    for (let step = 0; step < 3; step++) run.log("notes", `line ${step}`, { step });
    await run.getStringData("notes"); // a read sees (so commits) all logged before it
    const page = await open("/?project=live%2Fchatty&run=live%2Fchatty%3Achatty");
    await page.waitForSelector('.console-status:has-text("of 3 entries")');
    for (let step = 3; step < 40; step++) run.log("notes", `line ${step}`, { step });
    await run.getStringData("notes"); // a read sees (so commits) all logged before it
    const [file] = await Promise.all([
      page.waitForEvent("download"),
      page.click('.series button:text-is("Download")'),
    ]);
    const lines = (await Bun.file((await file.path()) as string).text()).trim().split("\n");
    expect(lines).toHaveLength(40);
    expect(lines.at(-1)).toBe("line 39");
    await run.close();
    await page.close();
  }, 60_000);

  it("says when a linked run does not exist", async () => {
    const page = await open("/?run=sweep%2Flr%3Ano-such-run");
    await page.waitForSelector(".missing");
    expect(await page.textContent(".missing")).toContain("There is no run sweep/lr / no-such-run");
    await page.close();
  }, 60_000);

  it("ticks the duration of a running run and shows it finished when it closes", async () => {
    const run = localRun(home, { project: "live/ticking", runId: "ticking" });
    run.log("loss", 1, { step: 0 });
    const page = await open("/?project=live%2Fticking&run=live%2Fticking%3Aticking");
    const cell = page.locator('tr[data-run="live/ticking:ticking"] td.duration');
    const first = await cell.textContent();
    await waitFor(async () => (await cell.textContent()) !== first, "the duration to tick");
    await page.waitForSelector('.details .status[data-status="running"]');
    await run.close();
    await page.waitForSelector('.details .status[data-status="finished"]', { timeout: 15_000 });
    await page.close();
  }, 60_000);

  it("keeps a live run's metric column current as it logs", async () => {
    const page = await open("/?project=live%2Fnow&cols=metric:train/loss");
    const cell = () =>
      page.locator('tr[data-run="live/now:live-a"] td.extra').first().textContent();
    await waitFor(async () => (await cell()) !== "", "the last train/loss");
    const before = await cell();
    const writer = startLiveRuns(home, { intervalMs: 100 });
    try {
      await waitFor(async () => (await cell()) !== before, "a newer last value", 20_000);
    } finally {
      writer.stop();
    }
    await page.close();
  }, 60_000);

  it("shows a banner while the server cannot be reached, says so where a view could not load, and draws it all once the server is back", async () => {
    const port = server.port;
    const page = await open("/?project=sweep%2Flr");
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await server.stop();
    try {
      await page.waitForSelector(".banner.offline:not([hidden])", { timeout: 15_000 });
      expect(await page.textContent(".banner")).toContain("Cannot reach the goodseed server");
      await screenshot(page, "banner-offline");
      // The banner is said once: each failed request of the outage leaves its text (and
      // its "since", the time the server was first missed) as it is.
      await page.evaluate(`(() => {
        window.bannerChanges = 0;
        new MutationObserver((records) => {
          window.bannerChanges += records.length;
        }).observe(document.querySelector(".banner.offline"), {
          childList: true,
          characterData: true,
          subtree: true,
        });
      })()`);
      // Asked for while the server is away: a chart of a run and a run's details.
      await page.click('tr[data-run="sweep/lr:sweep-03"] input[type=checkbox]');
      await page.waitForSelector('figure.chart[data-path="grad/norm"][data-error="offline"]');
      expect(await page.textContent('figure.chart[data-path="grad/norm"] .chart-note')).toContain(
        "cannot be reached",
      );
      await page.click('tr[data-run="sweep/lr:sweep-04"] button.link');
      await page.waitForSelector(".details .error");
      expect(await page.textContent(".details .error")).toContain("cannot be reached");
      expect(await page.evaluate("window.bannerChanges")).toBe(0);
    } finally {
      server = listen(createFileApp({ projectsDir: join(home, "projects") }), {
        hostname: "127.0.0.1",
        port,
      });
    }
    await page.waitForSelector(".banner.offline[hidden]", { state: "attached", timeout: 15_000 });
    await page.waitForSelector(
      'figure.chart[data-path="grad/norm"]:not([data-error]):not([data-points="0"])[data-points] canvas',
      { timeout: 15_000 },
    );
    await page.waitForSelector(".details table.configs tbody tr", { timeout: 15_000 });
    expect(await page.textContent(".details h2")).toContain("sweep-04");
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it("fits a 390 px phone in light and dark, charts included", async () => {
    for (const dark of [false, true]) {
      const page = await open(
        "/?project=sweep%2Flr&sweep=1&metric=metric:val/loss&runs=sweep%2Flr%3Asweep-01,sweep%2Flr%3Asweep-02",
        390,
        dark,
      );
      await page.waitForSelector("figure.chart");
      await page.waitForSelector("figure.parallel");
      const width = Number(await page.evaluate("document.documentElement.scrollWidth"));
      expect(width).toBeLessThanOrEqual(390);
      await screenshot(page, `phone-${dark ? "dark" : "light"}`);
      await page.close();
    }
  }, 90_000);
});
