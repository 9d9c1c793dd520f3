// Streaming TFRecord reader over any async source of byte chunks (no I/O of its own): pulls only as
// many chunks as the current record needs, so memory stays at one record plus one chunk.
// Ports tensorflow/core/lib/io/record_reader.cc (RecordReader::ReadRecord) for sequential reads.
import { crc32c, crc32cUpdate } from '../formats/crc32c.js';
import {
  TFRECORD_FOOTER_BYTES,
  TFRECORD_HEADER_BYTES,
  TfRecordError,
  checkTfRecordPayloadCrc,
  parseTfRecordHeader,
  type TfRecordPosition,
} from './framing.js';

/** One record read from a stream, with where it was found. */
export interface TfRecordEntry {
  /** The record's payload (a fresh copy; safe to keep). */
  payload: Uint8Array;
  /** 0-based record index. */
  index: number;
  /** Byte offset of the record header in the (decompressed, for gzip) TFRecord stream. */
  offset: number;
  /** True when `offset` counts gunzipped bytes rather than the file's own bytes. */
  decompressed: boolean;
}

/** Options for reading a chunk stream. */
export interface TfRecordStreamOptions {
  /** Label for error messages (a file path); default "<stream>". */
  source?: string;
  /** True when the chunks are gunzipped bytes, so error offsets are flagged as decompressed offsets. */
  decompressed?: boolean;
}

/** Pulls bytes from an async chunk iterator on demand, tracking the absolute stream offset. */
class ChunkCursor {
  private chunk: Uint8Array = new Uint8Array(0);
  private position = 0;
  private ended = false;
  /** Bytes handed out so far: the stream offset of the next byte. */
  consumed = 0;

  constructor(private readonly iterator: AsyncIterator<Uint8Array>) {}

  /**
   * Passes the next `count` bytes to `sink` in one or more slices (views valid only during the
   * call). Returns how many bytes were available: fewer than `count` only at end of stream.
   */
  async take(count: number, sink: (slice: Uint8Array) => void): Promise<number> {
    let taken = 0;
    while (taken < count) {
      if (this.position === this.chunk.length) {
        if (this.ended) break;
        const next = await this.iterator.next();
        if (next.done) {
          this.ended = true;
          break;
        }
        this.chunk = next.value;
        this.position = 0;
        continue;
      }
      const n = Math.min(count - taken, this.chunk.length - this.position);
      sink(this.chunk.subarray(this.position, this.position + n));
      this.position += n;
      taken += n;
      this.consumed += n;
    }
    return taken;
  }

  /** Fills `target` completely unless the stream ends first; returns the bytes copied. */
  fill(target: Uint8Array): Promise<number> {
    let at = 0;
    return this.take(target.length, (slice) => {
      target.set(slice, at);
      at += slice.length;
    });
  }
}

/** Wraps a failure of the underlying source (I/O, gunzip) so it names the record being read. */
function asRecordError(error: unknown, position: TfRecordPosition): TfRecordError {
  if (error instanceof TfRecordError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TfRecordError(position, 'read', message, { cause: error });
}

/**
 * Core scanner shared by the record iterator and the counter. With `keepPayloads` false the payload
 * bytes are skipped without being stored (their CRC is still checked when `verifyPayloads` is set).
 */
async function* scanTfRecords(
  chunks: AsyncIterable<Uint8Array>,
  options: TfRecordStreamOptions,
  keepPayloads: boolean,
  verifyPayloads: boolean,
): AsyncGenerator<TfRecordEntry> {
  const source = options.source ?? '<stream>';
  const decompressed = options.decompressed ?? false;
  const iterator = chunks[Symbol.asyncIterator]();
  const cursor = new ChunkCursor(iterator);
  const header = new Uint8Array(TFRECORD_HEADER_BYTES);
  const footer = new Uint8Array(TFRECORD_FOOTER_BYTES);
  const empty = new Uint8Array(0);
  try {
    for (let index = 0; ; index++) {
      const position: TfRecordPosition = { source, index, offset: cursor.consumed, decompressed };
      let payload = empty;
      try {
        const headerBytes = await cursor.fill(header);
        if (headerBytes === 0) return;
        if (headerBytes < TFRECORD_HEADER_BYTES) {
          throw new TfRecordError(position, 'truncated header', `the stream ends after ${headerBytes} of ${TFRECORD_HEADER_BYTES} header bytes`);
        }
        const length = parseTfRecordHeader(header, position);
        let payloadBytes: number;
        let crc = 0;
        if (keepPayloads) {
          payload = new Uint8Array(length);
          payloadBytes = await cursor.fill(payload);
        } else {
          payloadBytes = await cursor.take(length, (slice) => {
            if (verifyPayloads) crc = crc32cUpdate(crc, slice);
          });
        }
        const footerBytes = payloadBytes === length ? await cursor.fill(footer) : 0;
        if (payloadBytes + footerBytes < length + TFRECORD_FOOTER_BYTES) {
          throw new TfRecordError(
            position,
            'truncated payload',
            `the header announces ${length} payload bytes plus a ${TFRECORD_FOOTER_BYTES}-byte CRC, but the stream ends after ${payloadBytes + footerBytes} of them`,
          );
        }
        if (keepPayloads) checkTfRecordPayloadCrc(crc32c(payload), length, footer, position);
        else if (verifyPayloads) checkTfRecordPayloadCrc(crc, length, footer, position);
      } catch (error) {
        throw asRecordError(error, position);
      }
      yield { payload, index, offset: position.offset, decompressed };
    }
  } finally {
    // Stops the source early (closing files, destroying gunzip) when the consumer breaks out.
    await iterator.return?.();
  }
}

/**
 * Reads TFRecord entries from a stream of byte chunks, verifying both CRCs of every record before
 * yielding it. Errors (TfRecordError) name the source, record index, byte offset and failed check.
 */
export function readTfRecordStream(
  chunks: AsyncIterable<Uint8Array>,
  options: TfRecordStreamOptions = {},
): AsyncGenerator<TfRecordEntry> {
  return scanTfRecords(chunks, options, true, true);
}

/**
 * Counts the records of a chunk stream without keeping payloads. Length CRCs and the framing are
 * always checked (so truncation is caught); payload CRCs only when `verifyPayloads` is true.
 */
export async function countTfRecordStream(
  chunks: AsyncIterable<Uint8Array>,
  options: TfRecordStreamOptions & { verifyPayloads?: boolean } = {},
): Promise<number> {
  let count = 0;
  for await (const _entry of scanTfRecords(chunks, options, false, options.verifyPayloads ?? false)) count++;
  return count;
}
