// TFRecord files on local disk (and, for reading, gs:// objects): streaming reader (gzip auto-detected), record counter and a
// streaming writer with an atomic temp-then-rename mode. The only tfrecord module that touches
// node:fs / node:zlib. Ports tf.data.TFRecordDataset / tf.io.TFRecordWriter (compression "" or "GZIP").
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { once } from 'node:events';
import { createGunzip, createGzip, constants as zlibConstants } from 'node:zlib';
import { TFRECORD_FOOTER_BYTES, TFRECORD_HEADER_BYTES, encodeTfRecord, isGzipTfRecordHead } from './framing.js';
import { countTfRecordStream, readTfRecordStream, type TfRecordEntry } from './record-stream.js';
import { isGcsUri, storageFor } from '../storage/index.js';

/** How to treat compression when reading: detect from the first bytes, or force it. */
export type TfRecordGzipMode = boolean | 'auto';

/** Options for reading TFRecord files. */
export interface TfRecordReadOptions {
  /** true = GZIP, false = uncompressed, 'auto' (default) = detect by the gzip magic bytes 1f 8b. */
  gzip?: TfRecordGzipMode;
  /** Bytes per read from disk (default 1 MiB). Memory use is about one record plus one chunk. */
  chunkBytes?: number;
}

const DEFAULT_CHUNK_BYTES = 1 << 20;

/** A chunk stream ready for the record parser, plus whether it is gunzipped. */
interface TfRecordChunkSource {
  chunks: AsyncIterable<Uint8Array>;
  decompressed: boolean;
}

/** Re-yields the peeked head chunks, then the rest of the iterator (closing it when stopped early). */
async function* replay(head: Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* head;
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await rest.return?.();
  }
}

/** Gunzips a chunk stream; zlib failures become errors that say decompression failed. */
async function* gunzipChunks(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const gunzip = createGunzip();
  const input = Readable.from(chunks, { objectMode: false });
  input.on('error', (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new Error(`gzip decompression failed (${(error as Error).message})`, { cause: error });
    }
    throw error;
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}

/**
 * Decides whether a raw chunk stream is gzip (peeking at its first 12 bytes when `mode` is 'auto')
 * and returns the TFRecord byte stream to parse.
 */
async function prepareChunks(raw: AsyncIterable<Uint8Array>, mode: TfRecordGzipMode): Promise<TfRecordChunkSource> {
  const iterator = raw[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let gzip = mode === true;
  if (mode === 'auto') {
    let headBytes = 0;
    while (headBytes < TFRECORD_HEADER_BYTES) {
      const next = await iterator.next();
      if (next.done) break;
      head.push(next.value);
      headBytes += next.value.length;
    }
    const joined = new Uint8Array(headBytes);
    let at = 0;
    for (const chunk of head) {
      joined.set(chunk, at);
      at += chunk.length;
    }
    gzip = isGzipTfRecordHead(joined);
  }
  const chunks = replay(head, iterator);
  return gzip ? { chunks: gunzipChunks(chunks), decompressed: true } : { chunks, decompressed: false };
}

/**
 * Reads TFRecord entries (payload, index, offset) from any chunk stream, gunzipping when it is
 * (or, with gzip 'auto', looks like) a GZIP stream. `source` labels error messages.
 */
export async function* readTfRecordEntriesFromChunks(
  raw: AsyncIterable<Uint8Array>,
  options: { source?: string; gzip?: TfRecordGzipMode } = {},
): AsyncGenerator<TfRecordEntry> {
  const { chunks, decompressed } = await prepareChunks(raw, options.gzip ?? 'auto');
  yield* readTfRecordStream(chunks, { source: options.source, decompressed });
}

async function openFileChunks(path: string, chunkBytes: number | undefined): Promise<AsyncIterable<Uint8Array>> {
  // Objects on GCS stream through the storage layer; everything else is a local file.
  if (isGcsUri(path)) return (await storageFor(path)).openRead(path);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    const reason = error.code === 'ENOENT' ? 'no such file' : error.message;
    throw new Error(`${path}: cannot open TFRecord file: ${reason}`, { cause: error });
  });
  if (info.isDirectory()) throw new Error(`${path}: is a directory, not a TFRecord file`);
  return createReadStream(path, { highWaterMark: chunkBytes ?? DEFAULT_CHUNK_BYTES });
}

/**
 * Streams the records of a TFRecord file (never reading it whole), with each record's index and
 * byte offset. Both CRCs are verified before a record is yielded; a bad record throws a
 * TfRecordError naming the file, record, offset (decompressed offset for gzip) and failed check.
 */
export async function* readTfRecordEntries(path: string, options: TfRecordReadOptions = {}): AsyncGenerator<TfRecordEntry> {
  const raw = await openFileChunks(path, options.chunkBytes);
  yield* readTfRecordEntriesFromChunks(raw, { source: path, gzip: options.gzip });
}

/** Streams the payloads of a TFRecord file; see readTfRecordEntries. */
export async function* readTfRecords(path: string, options: TfRecordReadOptions = {}): AsyncGenerator<Uint8Array> {
  for await (const entry of readTfRecordEntries(path, options)) yield entry.payload;
}

/**
 * Counts a file's records without keeping payloads. Framing and length CRCs are always checked
 * (so a truncated file throws); payload CRCs only with `verifyPayloads`.
 */
export async function countTfRecords(
  path: string,
  options: TfRecordReadOptions & { verifyPayloads?: boolean } = {},
): Promise<number> {
  const raw = await openFileChunks(path, options.chunkBytes);
  const { chunks, decompressed } = await prepareChunks(raw, options.gzip ?? 'auto');
  return countTfRecordStream(chunks, { source: path, decompressed, verifyPayloads: options.verifyPayloads });
}

/** Options for writing a TFRecord file. */
export interface TfRecordWriteOptions {
  /** Write a GZIP stream (TF compression_type "GZIP"). Default false. */
  gzip?: boolean;
  /** zlib level for gzip output, 0–9 (default zlib's 6, as TF's Z_DEFAULT_COMPRESSION). */
  gzipLevel?: number;
  /** Write to a hidden temp file in the same directory and rename it over `path` on close. */
  atomic?: boolean;
}

let tempCounter = 0;
const WRITE_BATCH_BYTES = 256 * 1024;

/** Streaming TFRecord writer: one `write` per record, backpressure respected, `close` to finish. */
export class TfRecordWriter {
  private failure: unknown = undefined;
  private closed = false;
  private completed = false;
  private records = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  private constructor(
    /** The path the records end up at. */
    readonly path: string,
    /** The file actually being written (a temp file in atomic mode). */
    private readonly writingPath: string,
    private readonly sink: Writable,
    private readonly file: WriteStream,
  ) {
    const remember = (error: unknown): void => {
      this.failure ??= error;
    };
    sink.on('error', remember);
    file.on('error', remember);
  }

  /** Opens `path` for writing (creating or truncating it; in atomic mode `path` is untouched until close). */
  static async open(path: string, options: TfRecordWriteOptions = {}): Promise<TfRecordWriter> {
    const writingPath = options.atomic
      ? join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now()}-${tempCounter++}`)
      : path;
    const file = createWriteStream(writingPath);
    await once(file, 'open'); // rejects with the open error (missing directory, permissions)
    if (!options.gzip) return new TfRecordWriter(path, writingPath, file, file);
    const gzip = createGzip({ level: options.gzipLevel ?? zlibConstants.Z_DEFAULT_COMPRESSION });
    gzip.on('error', (error) => file.destroy(error));
    gzip.pipe(file);
    return new TfRecordWriter(path, writingPath, gzip, file);
  }

  /** Records written so far. */
  get recordsWritten(): number {
    return this.records;
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) {
      throw new Error(`${this.path}: TFRecord write failed: ${(this.failure as Error).message ?? this.failure}`, { cause: this.failure });
    }
    if (this.closed) throw new Error(`${this.path}: TFRecord writer is already closed`);
  }

  /**
   * Frames one payload and queues it; small records are batched into ~256 KiB writes (one zlib or
   * fs call per batch, not per record). Resolves once the stream can take more (backpressure).
   */
  async write(payload: Uint8Array): Promise<void> {
    this.throwIfFailed();
    this.pending.push(encodeTfRecord(payload));
    this.pendingBytes += payload.length + TFRECORD_HEADER_BYTES + TFRECORD_FOOTER_BYTES;
    this.records++;
    if (this.pendingBytes >= WRITE_BATCH_BYTES) await this.flushPending();
  }

  private async flushPending(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const batch = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.sink.write(batch)) {
      // Wait for 'drain', or for the file to close because it failed; drop both listeners after.
      const controller = new AbortController();
      const { signal } = controller;
      try {
        await Promise.race([once(this.sink, 'drain', { signal }), once(this.file, 'close', { signal })]);
      } finally {
        controller.abort();
      }
      this.throwIfFailed();
    }
  }

  /** Flushes and closes the file; in atomic mode fsyncs the temp file and renames it over `path`. */
  async close(): Promise<void> {
    this.throwIfFailed();
    await this.flushPending();
    this.closed = true;
    this.sink.end();
    try {
      await finished(this.file);
    } catch (error) {
      this.failure ??= error;
    }
    if (this.failure !== undefined) {
      await unlink(this.writingPath).catch(() => undefined);
      throw new Error(`${this.path}: TFRecord write failed: ${(this.failure as Error).message}`, { cause: this.failure });
    }
    if (this.writingPath !== this.path) {
      const handle = await open(this.writingPath, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(this.writingPath, this.path);
    }
    this.completed = true;
  }

  /** Gives up: stops writing and deletes the partial output (the temp file in atomic mode). */
  async abort(): Promise<void> {
    if (this.completed) return;
    this.closed = true;
    this.sink.destroy();
    this.file.destroy();
    await once(this.file, 'close').catch(() => undefined);
    await unlink(this.writingPath).catch(() => undefined);
  }
}

/** Writes every payload of `payloads` to `path` (streamed); returns the record count. */
export async function writeTfRecordFile(
  path: string,
  payloads: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: TfRecordWriteOptions = {},
): Promise<number> {
  const writer = await TfRecordWriter.open(path, options);
  try {
    for await (const payload of payloads) await writer.write(payload);
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return writer.recordsWritten;
}
