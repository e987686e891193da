import { describe, expect, it } from "bun:test";
import {
  compareCells,
  compareSortable,
  parseQuery,
  passes,
  resolveKey,
  sortable,
} from "../../src/ui/run-filter.ts";
import { groupRuns } from "../../src/ui/run-groups.ts";
import { axisFor, axisPosition, axisUnits, inRange } from "../../src/ui/sweep-axes.ts";
import {
  type Column,
  isInternalKey,
  parseColumn,
  shortLabels,
  suggestColumns,
} from "../../src/ui/table-columns.ts";
import { toCsv } from "../../src/ui/table-export.ts";

describe("the search box's language", () => {
  it("splits text terms from value filters", () => {
    expect(parseQuery("sweep, lr < 1e-3 and val/acc >= 0.9, optimizer/name = 'adam'")).toEqual({
      text: ["sweep"],
      filters: [
        { key: "lr", op: "<", value: "1e-3" },
        { key: "val/acc", op: ">=", value: "0.9" },
        { key: "optimizer/name", op: "=", value: "adam" },
      ],
    });
    expect(parseQuery("  ").filters).toEqual([]);
    expect(parseQuery("name ~ Res").filters).toEqual([{ key: "name", op: "~", value: "Res" }]);
  });

  it("takes filters written one after the other without a comma as separate filters", () => {
    expect(parseQuery("lr < 1e-3 optimizer = adam")).toEqual({
      text: [],
      filters: [
        { key: "lr", op: "<", value: "1e-3" },
        { key: "optimizer", op: "=", value: "adam" },
      ],
    });
    expect(parseQuery("resnet lr<1e-3 val/acc >= 0.9")).toEqual({
      text: ["resnet"],
      filters: [
        { key: "lr", op: "<", value: "1e-3" },
        { key: "val/acc", op: ">=", value: "0.9" },
      ],
    });
    // A value of several words stays one value.
    expect(parseQuery("name = big run").filters).toEqual([
      { key: "name", op: "=", value: "big run" },
    ]);
  });

  it("does not split inside quotes, and takes a quoted key", () => {
    expect(parseQuery('note = "a, b and c=d", lr < 1')).toEqual({
      text: [],
      filters: [
        { key: "note", op: "=", value: "a, b and c=d" },
        { key: "lr", op: "<", value: "1" },
      ],
    });
    expect(parseQuery("lr < 1 'model name' = bert")).toEqual({
      text: [],
      filters: [
        { key: "lr", op: "<", value: "1" },
        { key: "model name", op: "=", value: "bert" },
      ],
    });
    expect(parseQuery('"big run", resnet')).toEqual({ text: ["big run", "resnet"], filters: [] });
  });

  it("finds a key without its prefix, preferring the exact and then the shortest", () => {
    const keys = ["parameters/lr", "optimizer/lr", "sched/warmup/lr", "lr_decay"];
    expect(resolveKey("lr", ["lr", ...keys])).toBe("lr");
    expect(resolveKey("lr", keys)).toBe("optimizer/lr");
    expect(resolveKey("LR_DECAY", keys)).toBe("lr_decay");
    expect(resolveKey("momentum", keys)).toBeUndefined();
  });

  it("compares numbers as numbers and text as text", () => {
    expect(passes(0.0001, "<", "1e-3")).toBe(true);
    expect(passes("128", ">", "64")).toBe(true);
    expect(passes("adam", "=", "Adam")).toBe(true);
    expect(passes("adamw", "~", "adam")).toBe(true);
    expect(passes(["a", "b"], "=", "b")).toBe(true);
    expect(passes(["a", "b"], "!=", "b")).toBe(false);
    expect(passes(undefined, "<", "1")).toBe(false);
    expect(passes(true, "=", "true")).toBe(true);
    expect(passes(Number.NaN, "=", "nan")).toBe(true);
  });

  it("sorts numbers as numbers, empty cells last in both directions", () => {
    const cells = ["512", 64, 1e-7, "", 0.003, "128", undefined, 256];
    const up = [...cells].map(sortable).sort((a, b) => compareCells(a, b, 1));
    expect(up).toEqual([1e-7, 0.003, 64, 128, 256, 512, "", undefined]);
    const down = [...cells].sort((a, b) => compareCells(a, b, -1));
    expect(down.slice(0, 6)).toEqual(["512", 256, "128", 64, 0.003, 1e-7]);
    expect(["b", "a10", "a9"].sort((a, b) => compareCells(a, b, 1))).toEqual(["a9", "a10", "b"]);
    // Decimals as decimals: names that differ only after the point sort by that number.
    const names = [
      "lr 0.1 bs 128",
      "lr 0.00001 bs 512",
      "lr 0.001 bs 128",
      "lr 0.3 bs 64",
      "lr 0.1 bs 64",
    ];
    expect(names.sort((a, b) => compareCells(a, b, 1))).toEqual([
      "lr 0.00001 bs 512",
      "lr 0.001 bs 128",
      "lr 0.1 bs 64",
      "lr 0.1 bs 128",
      "lr 0.3 bs 64",
    ]);
  });

  it("orders sortable cells exactly as compareCells does, by the shorter path", () => {
    const cells = [
      "512",
      64,
      1e-7,
      "",
      0.003,
      "128",
      undefined,
      256,
      "b",
      "a10",
      "a9",
      "2026-01-02T00:00:00",
      "2026-01-01T12:00:00",
      "NaN",
      "-inf",
      true,
      false,
      null,
      "x 1",
      Number.NaN,
    ].map(sortable);
    for (const a of cells)
      for (const b of cells)
        for (const direction of [1, -1] as const)
          expect([a, b, direction, compareSortable(a, b, direction)]).toEqual([
            a,
            b,
            direction,
            compareCells(a, b, direction),
          ]);
  });
});

describe("table columns", () => {
  it("reads column ids, old and new", () => {
    expect(parseColumn("config:parameters/lr")).toEqual({
      kind: "config",
      key: "parameters/lr",
      id: "config:parameters/lr",
    });
    expect(parseColumn("metric:val/acc")).toMatchObject({ kind: "metric", summary: "last" });
    expect(parseColumn("max:val/acc")).toMatchObject({ kind: "metric", summary: "max" });
    expect(parseColumn("lr")).toBeUndefined();
  });

  it("labels columns by their last segment, longer only where two would clash", () => {
    const columns = ["config:model/lr", "config:optim/lr", "config:parameters/seed", "min:val/loss"]
      .map(parseColumn)
      .filter((c): c is Column => c !== undefined);
    expect(shortLabels(columns)).toEqual(["model/lr", "optim/lr", "seed", "loss (min)"]);
  });

  it("suggests keys containing the text, the closest first, without what is taken", () => {
    const suggestions = suggestColumns(
      "lr",
      ["parameters/lr", "parameters/lr_decay", "batch"],
      ["train/lr", "val/loss"],
      new Set(["max:train/lr"]),
    );
    expect(suggestions.map((s) => `${s.kind} ${s.key}`)).toEqual([
      "config parameters/lr",
      "last train/lr",
      "min train/lr",
      "config parameters/lr_decay",
    ]);
  });

  it("knows per-process and source-code keys", () => {
    expect(isInternalKey("monitoring/ab12cd34/pid")).toBe(true);
    expect(isInternalKey("monitoring/ab12cd34/hostname")).toBe(true);
    expect(isInternalKey("source_code/git/commit_id")).toBe(true);
    expect(isInternalKey("monitoring/ab12cd34/cpu")).toBe(false);
    expect(isInternalKey("parameters/pid")).toBe(false);
  });
});

describe("sweep axes", () => {
  it("gives wide positive ranges a log axis and places values on it", () => {
    const axis = axisFor("lr", [1e-7, 1e-5, 1e-3, undefined]);
    expect(axis.kind).toBe("log");
    expect(axisPosition(axis, 1e-5)).toBeCloseTo(0.5);
    expect(axisUnits(axis, 0.5)).toBeCloseTo(1e-5);
    expect(axisPosition(axis, undefined)).toBeUndefined();
    expect(axisFor("bs", [64, 128, 512]).kind).toBe("linear");
  });

  it("keeps the runs inside a range, by value or by category", () => {
    const numbers = axisFor("bs", [64, 128, 256, 512]);
    const range = { key: "bs", low: 100, high: 300 };
    expect([64, 128, 256, 512].filter((v) => inRange(numbers, v, range))).toEqual([128, 256]);
    const names = axisFor("opt", ["sgd", "adam", "adamw"]);
    expect(names.kind === "category" && names.categories).toEqual(["adam", "adamw", "sgd"]);
    expect(inRange(names, "adamw", { key: "opt", low: 1, high: 2 })).toBe(true);
    expect(inRange(names, "adam", { key: "opt", low: 1, high: 2 })).toBe(false);
  });
});

describe("groups and CSV", () => {
  it("groups runs by a value, sorted by value, with the unset ones last", () => {
    const runs = [{ lr: 0.1 }, { lr: 0.01 }, {}, { lr: 0.1 }];
    const groups = groupRuns(runs, "lr", (run) => (run as { lr?: number }).lr);
    expect(groups.map((g) => [g.label, g.runs.length])).toEqual([
      ["lr = 0.01", 1],
      ["lr = 0.1", 2],
      ["lr not set", 1],
    ]);
  });

  it("quotes what CSV must quote", () => {
    expect(
      toCsv(
        ["a", "b"],
        [
          ["1,5", 'say "hi"'],
          ["x\ny", "z"],
        ],
      ),
    ).toBe('a,b\r\n"1,5","say ""hi"""\r\n"x\ny",z\r\n');
  });

  it("keeps a spreadsheet from running a cell as a formula, and numbers as they are", () => {
    expect(
      toCsv(
        ["name", "tags"],
        [
          ['=HYPERLINK("x")', "@cmd"],
          ["+1 run", "-x"],
        ],
      ),
    ).toBe('name,tags\r\n"\'=HYPERLINK(""x"")",\'@cmd\r\n\'+1 run,\'-x\r\n');
    expect(toCsv(["value"], [["-0.5"], ["-Infinity"], ["+3"], ["1e-3"]])).toBe(
      "value\r\n-0.5\r\n-Infinity\r\n+3\r\n1e-3\r\n",
    );
  });
});
