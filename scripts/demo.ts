/**
 * The demo: trains a small multilayer perceptron in plain TypeScript on synthetic
 * "two spirals" data (as the Python client's MLP example does with PyTorch) and logs
 * the whole experiment with goodseed. Run it with `npm run demo` or `bun scripts/demo.ts`.
 */

import { Run } from "../src/index.ts";

interface Config {
  hidden: number;
  learningRate: number;
  epochs: number;
  batchSize: number;
  samples: number;
  seed: number;
}

const config: Config = {
  hidden: 48,
  learningRate: 0.5,
  epochs: 150,
  batchSize: 16,
  samples: 1200,
  seed: 7,
};

/** A small deterministic PRNG (mulberry32), so every demo run sees the same data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = random(config.seed);
const gaussian = (): number =>
  Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());

/** Two interleaved spirals: class 0 and class 1. */
function spirals(count: number): { x: [number, number][]; y: number[] } {
  const x: [number, number][] = [];
  const y: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    const t = (i / count) * 3 * Math.PI + 0.5;
    const sign = label === 0 ? 1 : -1;
    x.push([
      sign * t * Math.cos(t) * 0.25 + gaussian() * 0.08,
      sign * t * Math.sin(t) * 0.25 + gaussian() * 0.08,
    ]);
    y.push(label);
  }
  return { x, y };
}

class Mlp {
  w1: number[][];
  b1: number[];
  w2: number[][];
  b2: number[];

  constructor(readonly hidden: number) {
    const scale1 = Math.sqrt(2 / 2);
    const scale2 = Math.sqrt(2 / hidden);
    this.w1 = Array.from({ length: hidden }, () => [gaussian() * scale1, gaussian() * scale1]);
    this.b1 = new Array(hidden).fill(0);
    this.w2 = Array.from({ length: 2 }, () =>
      Array.from({ length: hidden }, () => gaussian() * scale2),
    );
    this.b2 = [0, 0];
  }

  forward(input: [number, number]): { h: number[]; p: number[] } {
    const h = this.w1.map((w, j) => Math.tanh(w[0]! * input[0] + w[1]! * input[1] + this.b1[j]!));
    const logits = this.w2.map((w, k) => w.reduce((sum, wk, j) => sum + wk * h[j]!, this.b2[k]!));
    const top = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - top));
    const total = exps.reduce((a, b) => a + b, 0);
    return { h, p: exps.map((e) => e / total) };
  }

  /** One SGD step on a batch; returns the mean cross-entropy. */
  step(xs: [number, number][], ys: number[], lr: number): number {
    const gw1 = this.w1.map(() => [0, 0]);
    const gb1 = new Array(this.hidden).fill(0);
    const gw2 = this.w2.map(() => new Array(this.hidden).fill(0));
    const gb2 = [0, 0];
    let loss = 0;
    xs.forEach((input, n) => {
      const { h, p } = this.forward(input);
      const label = ys[n]!;
      loss -= Math.log(p[label]! + 1e-12);
      const dLogits = p.map((pk, k) => pk - (k === label ? 1 : 0));
      for (let k = 0; k < 2; k++) {
        gb2[k]! += dLogits[k]!;
        for (let j = 0; j < this.hidden; j++) gw2[k]![j] += dLogits[k]! * h[j]!;
      }
      for (let j = 0; j < this.hidden; j++) {
        const dh =
          (this.w2[0]![j]! * dLogits[0]! + this.w2[1]![j]! * dLogits[1]!) * (1 - h[j]! * h[j]!);
        gb1[j] += dh;
        gw1[j]![0]! += dh * input[0];
        gw1[j]![1]! += dh * input[1];
      }
    });
    const scale = lr / xs.length;
    for (let j = 0; j < this.hidden; j++) {
      this.b1[j]! -= scale * gb1[j]!;
      this.w1[j]![0]! -= scale * gw1[j]![0]!;
      this.w1[j]![1]! -= scale * gw1[j]![1]!;
    }
    for (let k = 0; k < 2; k++) {
      this.b2[k]! -= scale * gb2[k]!;
      for (let j = 0; j < this.hidden; j++) this.w2[k]![j]! -= scale * gw2[k]![j]!;
    }
    return loss / xs.length;
  }

  evaluate(xs: [number, number][], ys: number[]): { loss: number; accuracy: number } {
    let loss = 0;
    let correct = 0;
    xs.forEach((input, n) => {
      const { p } = this.forward(input);
      loss -= Math.log(p[ys[n]!]! + 1e-12);
      if ((p[1]! > p[0]! ? 1 : 0) === ys[n]) correct++;
    });
    return { loss: loss / xs.length, accuracy: correct / xs.length };
  }
}

const data = spirals(config.samples);
const order = data.x.map((_, i) => i).sort(() => rand() - 0.5);
const split = Math.floor(order.length * 0.8);
const train = order.slice(0, split);
const valid = order.slice(split);
const pick = (indexes: number[]) => ({
  x: indexes.map((i) => data.x[i]!),
  y: indexes.map((i) => data.y[i]!),
});
const trainSet = pick(train);
const validSet = pick(valid);

const run = new Run({
  project: process.env.GOODSEED_PROJECT ?? "demo",
  name: "Spiral MLP",
  description: "A two-layer perceptron on two interleaved spirals, trained in plain TypeScript.",
  tags: ["demo", "mlp", "synthetic"],
  storage: (process.env.GOODSEED_STORAGE as "local" | undefined) ?? "local",
});
run.set("parameters", config);
run.set("data", {
  name: "two-spirals",
  train: train.length,
  validation: valid.length,
  features: 2,
  classes: 2,
});

const model = new Mlp(config.hidden);
let step = 0;
const started = performance.now();
for (let epoch = 0; epoch < config.epochs; epoch++) {
  const lr = config.learningRate * 0.5 * (1 + Math.cos((Math.PI * epoch) / config.epochs));
  const shuffled = trainSet.x.map((_, i) => i).sort(() => rand() - 0.5);
  for (let start = 0; start < shuffled.length; start += config.batchSize) {
    const batch = shuffled.slice(start, start + config.batchSize);
    const loss = model.step(
      batch.map((i) => trainSet.x[i]!),
      batch.map((i) => trainSet.y[i]!),
      lr,
    );
    run.logMetrics({ "train/loss": loss, "train/lr": lr }, { step });
    step++;
  }
  const trainEval = model.evaluate(trainSet.x, trainSet.y);
  const validEval = model.evaluate(validSet.x, validSet.y);
  run.logMetrics(
    {
      "train/accuracy": trainEval.accuracy,
      "validation/loss": validEval.loss,
      "validation/accuracy": validEval.accuracy,
    },
    { step },
  );
  if (epoch % 25 === 0 || epoch === config.epochs - 1) {
    const samples = validSet.x.slice(0, 4).map((input, n) => {
      const { p } = model.forward(input);
      return `(${input[0].toFixed(2)}, ${input[1].toFixed(2)}) -> class ${p[1]! > p[0]! ? 1 : 0} (p=${Math.max(...p).toFixed(2)}, true ${validSet.y[n]})`;
    });
    run.log("samples/predictions", `epoch ${epoch}: ${samples.join("; ")}`, { step });
    console.log(
      `epoch ${String(epoch).padStart(2)}  train loss ${trainEval.loss.toFixed(4)}  validation accuracy ${(validEval.accuracy * 100).toFixed(1)}%`,
    );
  }
}
run.set("results", {
  validationAccuracy: model.evaluate(validSet.x, validSet.y).accuracy,
  seconds: (performance.now() - started) / 1000,
});
await run.close();

console.log(`
Run '${run.runId}' is in ${run.file}
Serve it:        npx goodseed serve   (npm run demo starts it next)
List the runs:   npx goodseed list -p ${run.project}`);
