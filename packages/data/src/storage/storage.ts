// One storage interface over local paths and gs:// URIs. Everything realm-ts reads or writes
// (shards, checkpoints, exports, indexes) goes through it, so a run can live on local disk or GCS.
import type { Readable, Writable } from 'node:stream';

export interface Storage {
  /** Reads a whole file. Throws an error naming the location when it does not exist. */
  read(location: string): Promise<Uint8Array>;
  /** Streams a file (for shards larger than memory). */
  openRead(location: string): Promise<Readable>;
  /** Writes a whole file atomically: readers see the old file or the new one, never a part. */
  write(location: string, bytes: Uint8Array | string): Promise<void>;
  /**
   * Streams a file. Nothing is visible at `location` until `commit()` resolves; `abort()`
   * discards it.
   */
  openWrite(location: string): Promise<AtomicWriteStream>;
  exists(location: string): Promise<boolean>;
  /** Lists files directly under a directory/prefix (full locations, sorted). */
  list(directory: string): Promise<string[]>;
  /**
   * Expands a pattern into the sorted matching files: `name@N.ext` shard specs, globs in the
   * last path component (`docs.tfr.gz-*-of-*`), or a plain path (returned if it exists).
   */
  glob(pattern: string): Promise<string[]>;
  /** Removes a file or a directory tree; a missing one is not an error. */
  remove(location: string): Promise<void>;
  /**
   * Publishes a finished directory: `build` writes into a staging location it is given, and only
   * after it resolves does `destination` appear, complete (local: rename; GCS: copy, then a
   * `_COMMITTED` marker written last). Throws if `destination` already exists.
   */
  publishDirectory(destination: string, build: (staging: string) => Promise<void>): Promise<void>;
  /** True when `directory` is a complete published directory (see publishDirectory). */
  isPublished(directory: string): Promise<boolean>;
}

export interface AtomicWriteStream {
  stream: Writable;
  /** Flushes and makes the file visible at its final location. */
  commit(): Promise<void>;
  /** Discards the partial file. */
  abort(): Promise<void>;
}

/** Marker object that completes a published directory on object stores. */
export const COMMIT_MARKER = '_COMMITTED';
