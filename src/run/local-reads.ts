/**
 * Reads of a local run file that see everything logged before them: a flush barrier
 * through the ring (while the run is open), then a query on a connection of our own.
 * An open run is read through a read-only connection kept until close; a closed one
 * through a short-lived read-write connection, so that closing it leaves the file
 * without -wal and -shm beside it.
 */

import { StorageError } from "../errors.ts";
import type { RingProducer } from "../queue/ring-producer.ts";
import {
  type ConfigRow,
  type MetricData,
  type MetricQuery,
  RunReader,
  type StringPoint,
  type StringQuery,
} from "../storage/run-reader.ts";
import type { RunReads } from "../storage/run-reads.ts";
import type { ConfigValue } from "../values/config-value.ts";

/** How long a flush may wait for the Worker before it is reported as stalled. */
export const FLUSH_TIMEOUT_MS = 60_000;

export class LocalReads implements RunReads {
  readonly #file: string;
  readonly #runId: string;
  /** The ring of an open writable run; undefined once closed, or for a read-only run. */
  #ring: RingProducer | undefined;
  #reader: RunReader | undefined;
  /** Close the connection after each read (a closed writable run). */
  #shortLived = false;

  constructor(file: string, runId: string, ring: RingProducer | undefined, reader?: RunReader) {
    this.#file = file;
    this.#runId = runId;
    this.#ring = ring;
    this.#reader = reader;
  }

  #stalled(): StorageError {
    return new StorageError(
      `The writer of run '${this.#runId}' did not commit within ${FLUSH_TIMEOUT_MS / 1000} s; the file may be locked or the disk full.`,
    );
  }

  /** Blocks until everything queued so far is committed. */
  flushNow(): void {
    if (!this.#ring) return;
    const token = this.#ring.putFlush();
    if (!this.#ring.waitFlushed(token, FLUSH_TIMEOUT_MS)) throw this.#stalled();
  }

  async #flush(): Promise<void> {
    if (!this.#ring) return;
    const token = this.#ring.putFlush();
    if (!(await this.#ring.flushedAsync(token, FLUSH_TIMEOUT_MS))) throw this.#stalled();
  }

  #open(): RunReader {
    this.#reader ??= new RunReader(this.#file, { readonly: !this.#shortLived });
    return this.#reader;
  }

  #done<T>(value: T): T {
    if (this.#shortLived) this.release();
    return value;
  }

  /** Runs `query` after a blocking flush. */
  now<T>(query: (reader: RunReader) => T): T {
    this.flushNow();
    return this.#done(query(this.#open()));
  }

  /** Runs `query` after a flush that does not block the event loop. */
  async later<T>(query: (reader: RunReader) => T): Promise<T> {
    await this.#flush();
    return this.#done(query(this.#open()));
  }

  exists(path: string): boolean {
    return this.now((reader) => reader.exists(path));
  }

  get(path: string): ConfigValue | number | string | undefined {
    return this.now((reader) => reader.get(path));
  }

  metricPaths(): Promise<string[]> {
    return this.later((reader) => reader.metricPaths());
  }

  metricData(path: string, query: MetricQuery): Promise<MetricData> {
    return this.later((reader) => reader.metricData(path, query));
  }

  stringPaths(): Promise<string[]> {
    return this.later((reader) => reader.stringPaths());
  }

  stringData(path: string, query: StringQuery): Promise<StringPoint[]> {
    return this.later((reader) => reader.stringData(path, query));
  }

  configRows(): Promise<ConfigRow[]> {
    return this.later((reader) => reader.configRows());
  }

  /** Closes the connection (before the Worker closes the file, or the WAL files would stay). */
  release(): void {
    this.#reader?.close();
    this.#reader = undefined;
  }

  /** The run was closed: no more flushes, and short-lived connections from now on. */
  closed(writable: boolean): void {
    this.#ring = undefined;
    this.#shortLived = writable;
    this.release();
  }
}
