/** Small helpers the sweep views share: SVG elements, and an axis's name as shown. */

import { parseColumn } from "./table-columns.ts";

const SVG = "http://www.w3.org/2000/svg";

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

/** An axis's key as shown: a config key, or a metric path with its summary. */
export function axisLabel(key: string): string {
  const column = parseColumn(key);
  if (column?.kind === "metric")
    return `${column.key}${column.summary === "last" ? "" : ` (${column.summary})`}`;
  return key;
}
