/**
 * The banner that says the server cannot be reached, shown while requests fail and
 * removed by the first answer, and short notices with an optional action (Undo).
 */

import { onConnection } from "./connection.ts";
import { h } from "./dom.ts";
import { localTime } from "./local-time.ts";

export function connectionBanner(where: string): HTMLElement {
  const banner = h("div", { class: "banner offline", role: "alert", hidden: true });
  onConnection((down) => {
    const wasDown = !banner.hidden;
    banner.hidden = down === undefined;
    // Said once, with the time the server was first missed: every failed request of
    // the outage lands here, and rewriting the alert had screen readers read it again.
    if (down && !wasDown)
      banner.textContent = `Cannot reach the goodseed server${where ? ` at ${where}` : ""} (since ${localTime(new Date().toISOString()).slice(11)}); retrying every few seconds. Is \`goodseed serve\` still running?`;
  });
  return banner;
}

/** Notices at the bottom of the page: one at a time, gone after `ms` or on its action. */
export class Notices {
  readonly element = h("div", { class: "notices", role: "status", "aria-live": "polite" });
  #timer: ReturnType<typeof setTimeout> | undefined;

  show(text: string, action?: { label: string; run(): void }, ms = 10_000): void {
    clearTimeout(this.#timer);
    const close = () => this.element.replaceChildren();
    this.element.replaceChildren(
      h(
        "div",
        { class: `notice${action ? "" : " plain"}` },
        h("span", {}, text),
        action
          ? h(
              "button",
              {
                onclick: () => {
                  close();
                  action.run();
                },
              },
              action.label,
            )
          : "",
        h("button", { class: "remove", "aria-label": "Dismiss", onclick: close }, "×"),
      ),
    );
    this.#timer = setTimeout(close, ms);
  }
}
