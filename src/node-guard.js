// Resolved instead of src/index.ts by runtimes other than Bun (see package.json "exports").
throw new Error(
  "goodseed runs on Bun only (it uses bun:sqlite and Bun Workers). Run your program with `bun` instead of `node`: https://bun.sh",
);
