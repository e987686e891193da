import { describe, expect, it } from "bun:test";
import { publicMessage } from "../../src/server/public-error.ts";

describe("publicMessage", () => {
  it("cuts quoted absolute paths to their last name and leaves other text alone", () => {
    expect(
      publicMessage(
        "ENOENT: no such file or directory, stat '/home/ann/.goodseed/projects/p/runs/r.sqlite'",
      ),
    ).toBe("ENOENT: no such file or directory, stat 'r.sqlite'");
    expect(publicMessage("EPERM: operation not permitted, utime '/etc/x.sqlite'")).toBe(
      "EPERM: operation not permitted, utime 'x.sqlite'",
    );
    expect(publicMessage('open "C:\\Users\\ann\\r.sqlite" failed')).toBe('open "r.sqlite" failed');
    expect(publicMessage("file is not a database")).toBe("file is not a database");
    expect(publicMessage("no such table: 'configs'")).toBe("no such table: 'configs'");
  });
});
