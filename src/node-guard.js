// Resolved instead of src/index.ts by runtimes other than Bun (see package.json "exports").
// It declares the library's names so that `import { Run } from "goodseed"` links, then
// fails while evaluating, with a message that says what to do.
throw new Error(
  "goodseed runs on Bun only (it uses bun:sqlite and Bun Workers). Run your program with `bun` instead of `node`: https://bun.sh",
);

export const Run = undefined;
export const withRun = undefined;
export const Storage = undefined;
export const GitRef = undefined;
export const GoodseedError = undefined;
export const InvalidValueError = undefined;
export const InvalidOptionError = undefined;
export const ReadOnlyRunError = undefined;
export const RunClosedError = undefined;
export const RunExistsError = undefined;
export const RunNotFoundError = undefined;
export const RunActiveError = undefined;
export const StorageDisabledError = undefined;
export const StorageUnavailableError = undefined;
export const StorageError = undefined;
export const isGoodseedError = undefined;
