/**
 * Hardware samples for the runs that want them, taken in the writer Worker: CPU and
 * memory on the shortest interval any run asks for, GPU metrics joining the same
 * step when the tool answers. A slow or hung tool delays nothing else: no second
 * query starts while one is running, and a query nobody wants any more is aborted.
 */

import { sampleGpus } from "./gpu.ts";
import { CpuMeter, processTreeMemoryGb } from "./host-usage.ts";

/** The first sample comes this soon after monitoring starts (CPU use needs an interval). */
const FIRST_SAMPLE_MS = 250;

/** The runs to sample for, such as a Map of them (read more than once per sample). */
export interface HardwareTargets {
  values(): Iterable<HardwareTarget>;
}

/** A run that may want hardware samples (the writer's sink). */
export interface HardwareTarget {
  /** The sampling interval the run wants, or `undefined` for none (now). */
  readonly hardwareInterval: number | undefined;
  /** How long the run lets a GPU tool take before it is killed. */
  readonly gpuTimeout: number | undefined;
  /** Takes the step of the run's next sample. */
  nextHardwareStep(): number;
  /** Logs metrics (`cpu`, `memory`, `gpu_0`, …) of sample `step`. */
  logHardware(step: number, metrics: Readonly<Record<string, number>>, now: number): void;
}

export class HardwareSampler {
  #meter: CpuMeter | undefined;
  #nextAt = 0;
  /** The running GPU query, aborted when no run wants it any more (a hung tool must not outlive us). */
  #gpuQuery: AbortController | undefined;

  /** Samples, if one is due, for every target that wants it. */
  sample(targets: HardwareTargets, now: number): void {
    let interval: number | undefined;
    // A hung GPU tool is killed after the shortest timeout of the runs that sample;
    // that sample then has no GPU metrics.
    let gpuTimeout = Number.POSITIVE_INFINITY;
    for (const target of targets.values()) {
      const wanted = target.hardwareInterval;
      if (wanted === undefined) continue;
      interval = Math.min(interval ?? wanted, wanted);
      gpuTimeout = Math.min(gpuTimeout, target.gpuTimeout ?? gpuTimeout);
    }
    if (interval === undefined) {
      this.#meter = undefined;
      return;
    }
    if (!this.#meter) {
      this.#meter = new CpuMeter();
      this.#nextAt = now + Math.min(FIRST_SAMPLE_MS, interval);
      return;
    }
    if (now < this.#nextAt) return;
    this.#nextAt = now + interval;
    const base = { cpu: this.#meter.sample(), memory: processTreeMemoryGb() };
    const wanting = [...targets.values()].filter((target) => target.hardwareInterval !== undefined);
    const steps = wanting.map((target) => target.nextHardwareStep());
    wanting.forEach((target, index) => {
      target.logHardware(steps[index] as number, base, now);
    });
    if (this.#gpuQuery) return;
    const query = new AbortController();
    this.#gpuQuery = query;
    void sampleGpus(gpuTimeout, query.signal)
      .then((gpus) => {
        const at = performance.now();
        wanting.forEach((target, index) => {
          target.logHardware(steps[index] as number, gpus, at);
        });
      })
      .catch(() => {})
      .finally(() => {
        if (this.#gpuQuery === query) this.#gpuQuery = undefined;
      });
  }

  /** Aborts a running GPU query once none of `targets` wants samples any more. */
  release(targets: HardwareTargets): void {
    for (const target of targets.values()) if (target.hardwareInterval !== undefined) return;
    this.#gpuQuery?.abort();
  }
}
