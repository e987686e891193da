/** A Worker for the RequestWorker tests: echoes `value` under the request's id, fails on "fail", dies on "die". */

declare const self: Worker;

self.onmessage = (event: MessageEvent<{ id: number; value: string }>) => {
  const { id, value } = event.data;
  if (value === "die") throw new Error("told to die");
  if (value === "fail") self.postMessage({ id, error: "told to fail" });
  else self.postMessage({ id, value });
};
