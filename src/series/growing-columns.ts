/** The columns of one series as its rows are decoded, grown by doubling. */

export class GrowingColumns {
  steps: Float64Array;
  ys: Float64Array;
  ts: Float64Array;
  length = 0;

  constructor(capacity: number) {
    this.steps = new Float64Array(capacity);
    this.ys = new Float64Array(capacity);
    this.ts = new Float64Array(capacity);
  }

  push(step: number, y: number, ts: number): void {
    if (this.length === this.steps.length) {
      const grow = (array: Float64Array) => {
        const grown = new Float64Array(array.length * 2);
        grown.set(array);
        return grown;
      };
      this.steps = grow(this.steps);
      this.ys = grow(this.ys);
      this.ts = grow(this.ts);
    }
    const i = this.length++;
    this.steps[i] = step;
    this.ys[i] = y;
    this.ts[i] = ts;
  }
}
