import { describe, expect, it } from "bun:test";
import { publicMessage } from "../../src/server/public-error.ts";

describe("publicMessage", () => {
  it("makes paths under the served directory relative and cuts other absolute paths to their name", () => {
    const roots = ["/home/ann/.goodseed/projects", "/data/goodseed/projects"];
    expect(
      publicMessage(
        "ENOENT: no such file or directory, stat '/data/goodseed/projects/p/runs/r.sqlite'",
        roots,
      ),
    ).toBe("ENOENT: no such file or directory, stat 'p/runs/r.sqlite'");
    expect(publicMessage("EPERM: operation not permitted, utime '/etc/x.sqlite'", roots)).toBe(
      "EPERM: operation not permitted, utime 'x.sqlite'",
    );
    expect(publicMessage('open "C:\\Users\\ann\\r.sqlite" failed', [])).toBe(
      'open "r.sqlite" failed',
    );
    expect(publicMessage("file is not a database", roots)).toBe("file is not a database");
    expect(publicMessage("at /home/ann/.goodseed/projects", roots)).toBe("at .");
  });
});
