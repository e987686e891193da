/**
 * A chart section shows its first few charts and a button for the rest, so that a run
 * with 68 metrics is a page of a few screens, not of 8,000 pixels; a filter or an
 * enlarged chart shows every chart it matches. What each section shows is kept while
 * the page is open.
 */

import { h } from "./dom.ts";

/** Charts a section shows before "Show all". */
export const SECTION_CAP = 6;

export class SectionMore {
  readonly #open = new Set<string>();
  readonly #buttons = new Map<string, HTMLButtonElement>();

  /** The button that ends section `name`; `changed` lays the charts out again. */
  button(name: string, changed: () => void): HTMLButtonElement {
    const button = h("button", {
      type: "button",
      class: "section-more",
      "data-section": name,
      onclick: () => {
        if (this.#open.has(name)) this.#open.delete(name);
        else this.#open.add(name);
        changed();
      },
    });
    this.#buttons.set(name, button);
    return button;
  }

  /**
   * Whether the `index`th matching chart (from 0) of section `name` shows; `filtered`
   * (a filter is typed) and `enlarged` (this chart is) show it whatever the cap.
   */
  shows(name: string, index: number, filtered: boolean, enlarged: boolean): boolean {
    return filtered || enlarged || this.#open.has(name) || index < SECTION_CAP;
  }

  /** Says on the section's button how many charts it holds back (hidden when none). */
  label(name: string, matching: number, filtered: boolean): void {
    const button = this.#buttons.get(name);
    if (!button) return;
    const open = this.#open.has(name);
    button.hidden = filtered || matching <= SECTION_CAP;
    button.textContent = open ? "Show fewer" : `Show all ${matching} charts`;
    button.setAttribute("aria-expanded", String(open));
  }
}
