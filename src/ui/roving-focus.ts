/**
 * One Tab stop for a set of points on a plane (the sweep scatter's dots): Tab enters at
 * the point last focused, the arrow keys move to the next point left, right, above or
 * below, Home and End to the first and last from the left, and Enter or Space activate
 * the focused one (a "roving tabindex").
 */

/** A focusable point: its element and its position, x to the right and y up (any units). */
export interface RovingItem {
  element: Element & { focus(): void };
  x: number;
  y: number;
}

/** What a set of roving items does. */
export interface RovingOptions {
  /** Enter, Space or a click on an item. */
  activate(index: number): void;
  /** An item came to hold the Tab stop (to keep it over a redraw). */
  moved?(index: number): void;
  /**
   * The item holding the Tab stop at first.
   * @default the leftmost item
   */
  initial?: number;
}

/** Items sorted by `key`, ties by the other coordinate: a point's place in each order. */
function orderBy(items: readonly RovingItem[], key: "x" | "y"): number[] {
  const other = key === "x" ? "y" : "x";
  return items
    .map((_, i) => i)
    .sort(
      (a, b) =>
        (items[a] as RovingItem)[key] - (items[b] as RovingItem)[key] ||
        (items[a] as RovingItem)[other] - (items[b] as RovingItem)[other] ||
        a - b,
    );
}

/** Makes `items` one Tab stop, moved by the arrow keys; returns the index holding it. */
export function rovingFocus(items: readonly RovingItem[], options: RovingOptions): number {
  if (items.length === 0) return -1;
  const byX = orderBy(items, "x");
  const byY = orderBy(items, "y");
  let current =
    options.initial !== undefined && options.initial >= 0 && options.initial < items.length
      ? options.initial
      : (byX[0] as number);
  const hold = (index: number) => {
    for (const [i, item] of items.entries())
      item.element.setAttribute("tabindex", i === index ? "0" : "-1");
    current = index;
  };
  const moveTo = (index: number) => {
    hold(index);
    (items[index] as RovingItem).element.focus();
    options.moved?.(index);
  };
  const step = (order: readonly number[], by: number) => {
    const at = order.indexOf(current);
    moveTo(order[Math.max(0, Math.min(order.length - 1, at + by))] as number);
  };
  hold(current);
  items.forEach((item, index) => {
    item.element.addEventListener("click", () => {
      hold(index);
      options.activate(index);
    });
    item.element.addEventListener("focus", () => {
      if (current === index) return;
      hold(index);
      options.moved?.(index);
    });
    item.element.addEventListener("keydown", (event) => {
      const key = (event as KeyboardEvent).key;
      if (key === "ArrowRight") step(byX, 1);
      else if (key === "ArrowLeft") step(byX, -1);
      else if (key === "ArrowUp") step(byY, 1);
      else if (key === "ArrowDown") step(byY, -1);
      else if (key === "Home") moveTo(byX[0] as number);
      else if (key === "End") moveTo(byX[byX.length - 1] as number);
      else if (key === "Enter" || key === " ") options.activate(index);
      else return;
      // Arrows and Space would scroll the page.
      event.preventDefault();
    });
  });
  return current;
}
