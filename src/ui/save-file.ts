/** Saving what the page made (a CSV, a console, a chart's PNG) as a file the browser downloads. */

/** Offers `blob` as a download named `name`. */
export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has started reading the blob by then; a large PNG may take a moment.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Saves `text` as a download named `name`. */
export function download(name: string, text: string, type = "text/plain"): void {
  downloadBlob(name, new Blob([text], { type: `${type};charset=utf-8` }));
}
