/**
 * "Add column": a combobox that suggests config keys and metric paths as you type,
 * anywhere in the path and without prefixes to remember (`lr` offers
 * `parameters/lr`; `acc` offers `val/acc` as last, min or max), by keyboard or mouse.
 */

import { h } from "./dom.ts";
import { type Suggestion, suggestColumns } from "./table-columns.ts";

export interface PickerSource {
  /** Config keys (those shown: per-process keys only when asked for) and metric paths known so far. */
  choices(): { configKeys: string[]; metricPaths: string[] };
  /** Column ids already in the table. */
  taken(): ReadonlySet<string>;
  add(id: string): void;
}

let pickers = 0;

export class ColumnPicker {
  readonly element: HTMLElement;
  readonly #input: HTMLInputElement;
  readonly #list: HTMLUListElement;
  readonly #source: PickerSource;
  #suggestions: Suggestion[] = [];
  #active = -1;

  constructor(source: PickerSource) {
    this.#source = source;
    const id = `column-suggestions-${++pickers}`;
    this.#list = h("ul", { class: "suggestions", role: "listbox", id, hidden: true });
    this.#input = h("input", {
      type: "text",
      role: "combobox",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": id,
      "aria-label": "Add column",
      placeholder: "lr, val/acc…",
      autocomplete: "off",
      oninput: () => this.#suggest(),
      onfocus: () => this.#suggest(),
      onblur: () => this.#close(),
      onkeydown: (event: Event) => this.#key(event as KeyboardEvent),
    });
    this.element = h(
      "div",
      { class: "column-picker" },
      h("label", {}, "Add column ", this.#input),
      this.#list,
    );
  }

  #suggest(): void {
    const { configKeys, metricPaths } = this.#source.choices();
    this.#suggestions = suggestColumns(
      this.#input.value,
      configKeys,
      metricPaths,
      this.#source.taken(),
    );
    this.#active = this.#input.value.trim() === "" ? -1 : 0;
    this.#draw();
  }

  #draw(): void {
    const open = this.#suggestions.length > 0;
    this.#list.hidden = !open;
    this.#input.setAttribute("aria-expanded", String(open));
    this.#list.replaceChildren(
      ...this.#suggestions.map((suggestion, index) =>
        h(
          "li",
          {
            role: "option",
            id: `${this.#list.id}-${index}`,
            "aria-selected": String(index === this.#active),
            class: index === this.#active ? "active" : undefined,
            title: suggestion.id,
            // mousedown, not click: the input keeps the focus and its blur does not close the list first.
            onmousedown: (event: Event) => {
              event.preventDefault();
              this.#pick(suggestion);
            },
          },
          h("span", { class: "key" }, suggestion.key),
          h("span", { class: `kind ${suggestion.kind}` }, suggestion.kind),
        ),
      ),
    );
    if (this.#active >= 0)
      this.#input.setAttribute("aria-activedescendant", `${this.#list.id}-${this.#active}`);
    else this.#input.removeAttribute("aria-activedescendant");
  }

  #key(event: KeyboardEvent): void {
    const count = this.#suggestions.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (count === 0) {
        this.#suggest();
        return;
      }
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.#active = (this.#active + step + count) % count;
      this.#draw();
    } else if (event.key === "Enter") {
      const chosen = this.#suggestions[Math.max(0, this.#active)];
      if (chosen) {
        event.preventDefault();
        this.#pick(chosen);
      }
    } else if (event.key === "Escape") this.#close();
  }

  #pick(suggestion: Suggestion): void {
    this.#input.value = "";
    this.#close();
    this.#source.add(suggestion.id);
  }

  #close(): void {
    this.#suggestions = [];
    this.#draw();
  }
}
