/** The packed form of `/api/series/columns` (src/api/packed-series.ts): what is packed comes back. */

import { describe, expect, it } from "bun:test";
import {
  headMembers,
  type PackedEntry,
  packColumns,
  packSeries,
  unpackSeries,
} from "../../../src/api/packed-series.ts";

const key = (path: string) => ({ project: "p/é", run_id: "r", path });

describe("packed series", () => {
  it("unpacks what was packed: raw points, buckets between raw ends, missing runs, IEEE non-finite values", () => {
    const bucketed: PackedEntry = {
      key: key("train/loss"),
      members: headMembers({
        firstPointIndex: 0,
        lastPointIndex: 99,
        totalCount: 100,
        downsampled: true,
        bucketed: [1, 3],
        length: 4,
      }),
      numbers: packColumns({
        steps: [0, 10.5, 50, 99],
        values: [1, Number.NaN, 0.5, Number.POSITIVE_INFINITY],
        times: [1767225600, 1767225601.25, 1767225602, 1767225603],
        mins: [Number.NaN, 0.25],
        maxs: [Number.NaN, Number.NEGATIVE_INFINITY],
      }),
    };
    const raw: PackedEntry = {
      key: key("val/acc"),
      members: headMembers({
        firstPointIndex: 2,
        lastPointIndex: 3,
        totalCount: 4,
        downsampled: false,
        bucketed: [0, 0],
        length: 2,
      }),
      numbers: packColumns({
        steps: [2, 3],
        values: [-0, 1e-300],
        times: [5, 6],
        mins: [],
        maxs: [],
      }),
    };
    const gone: PackedEntry = { key: key("x"), members: `"error": "Run not found: p/é/r"` };
    // Paths of every length, so that the JSON head ends at every offset mod 8.
    for (let pad = 0; pad < 8; pad++) {
      const path = `m${"x".repeat(pad)}`;
      const body = packSeries([bucketed, gone, { ...raw, key: key(path) }]);
      const entries = unpackSeries(body.buffer as ArrayBuffer);
      expect(entries).toEqual([
        {
          ...key("train/loss"),
          firstPointIndex: 0,
          lastPointIndex: 99,
          totalCount: 100,
          downsampled: true,
          bucketed: [1, 3],
          step: [0, 10.5, 50, 99],
          value: [1, Number.NaN, 0.5, Number.POSITIVE_INFINITY],
          minY: [1, Number.NaN, 0.25, Number.POSITIVE_INFINITY],
          maxY: [1, Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
          loggedAt: [1767225600, 1767225601.25, 1767225602, 1767225603],
        },
        { ...key("x"), error: "Run not found: p/é/r" },
        {
          ...key(path),
          firstPointIndex: 2,
          lastPointIndex: 3,
          totalCount: 4,
          downsampled: false,
          bucketed: [0, 0],
          step: [2, 3],
          value: [-0, 1e-300],
          minY: [-0, 1e-300],
          maxY: [-0, 1e-300],
          loggedAt: [5, 6],
        },
      ]);
      // The head's length, then the numbers from the next multiple of 8.
      const headLength = new DataView(body.buffer).getUint32(0, true);
      expect(body.length).toBe(Math.ceil((4 + headLength) / 8) * 8 + 8 * (4 * 3 + 2 * 2 + 2 * 3));
    }
  });

  it("carries the non-finite points a downsampled view's buckets leave out, after their figures", () => {
    const entry: PackedEntry = {
      key: key("train/loss"),
      members: headMembers({
        firstPointIndex: 0,
        lastPointIndex: 9,
        totalCount: 10,
        downsampled: true,
        bucketed: [1, 2],
        length: 3,
        nonFinite: 2,
      }),
      numbers: packColumns({
        steps: [0, 4.5, 9],
        values: [1, 2, 3],
        times: [10, 11, 12],
        mins: [0.5],
        maxs: [2.5],
        nonFinite: {
          step: [3, 7],
          value: [Number.NaN, Number.NEGATIVE_INFINITY],
          loggedAt: [10.5, 11.5],
        },
      }),
    };
    const after: PackedEntry = {
      key: key("val/acc"),
      members: headMembers({
        firstPointIndex: 0,
        lastPointIndex: 0,
        totalCount: 1,
        downsampled: false,
        bucketed: [0, 0],
        length: 1,
      }),
      numbers: packColumns({ steps: [5], values: [0.9], times: [13], mins: [], maxs: [] }),
    };
    const [packed, next] = unpackSeries(packSeries([entry, after]).buffer as ArrayBuffer);
    expect(packed).toMatchObject({
      step: [0, 4.5, 9],
      minY: [1, 0.5, 3],
      nonFinite: {
        step: [3, 7],
        value: [Number.NaN, Number.NEGATIVE_INFINITY],
        loggedAt: [10.5, 11.5],
      },
    });
    // The entry after it reads its own numbers.
    expect(next).toMatchObject({ step: [5], value: [0.9], loggedAt: [13] });
    expect(next && "nonFinite" in next).toBe(false);
  });

  it("is a head alone when no run has the series", () => {
    const body = packSeries([]);
    expect(unpackSeries(body.buffer as ArrayBuffer)).toEqual([]);
    expect(body.length % 8).toBe(0);
  });
});
