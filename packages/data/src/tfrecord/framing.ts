// TFRecord framing on byte arrays (no I/O): encode one record, decode a whole in-memory buffer.
// Ports tensorflow/core/lib/io/record_writer.cc (PopulateHeader/PopulateFooter) and
// record_reader.cc (ReadChecksummed): u64 LE length, masked CRC32C(length), payload, masked CRC32C(payload).
import { crc32c, maskCrc, maskedCrc32c } from '../formats/crc32c.js';

/** Bytes before the payload: 8-byte length plus its 4-byte masked CRC. */
export const TFRECORD_HEADER_BYTES = 12;
/** Bytes after the payload: its 4-byte masked CRC. */
export const TFRECORD_FOOTER_BYTES = 4;
/** Largest payload we accept (4 GiB - 1): a Uint8Array cannot hold more on every platform. */
export const TFRECORD_MAX_PAYLOAD_BYTES = 0xffffffff;

/** Which integrity check a record failed. */
export type TfRecordCheck =
  | 'length crc'
  | 'payload crc'
  | 'truncated header'
  | 'truncated payload'
  | 'length too large'
  | 'read'
  | 'payload decode';

const CHECK_LABELS: Record<TfRecordCheck, string> = {
  'length crc': 'length CRC mismatch',
  'payload crc': 'payload CRC mismatch',
  'truncated header': 'truncated header',
  'truncated payload': 'truncated payload',
  'length too large': 'length too large',
  read: 'read failed',
  'payload decode': 'payload decode failed',
};

/** Where a record sits: `offset` counts bytes of the (decompressed, for gzip) TFRecord stream. */
export interface TfRecordPosition {
  /** File path or other label of the byte source, used in error messages. */
  source: string;
  /** 0-based index of the record in the stream. */
  index: number;
  /** Byte offset of the record's first header byte. */
  offset: number;
  /** True when `offset` is in the gunzipped stream rather than in the file's own bytes. */
  decompressed: boolean;
}

/**
 * A corrupt, truncated or unreadable record. The message names the source, the record index, the
 * byte offset (noting when it is an offset in the decompressed stream) and the failed check.
 */
export class TfRecordError extends Error {
  readonly source: string;
  readonly index: number;
  readonly offset: number;
  readonly decompressed: boolean;
  readonly check: TfRecordCheck;

  constructor(position: TfRecordPosition, check: TfRecordCheck, detail: string, options?: { cause?: unknown }) {
    const where = position.decompressed
      ? `decompressed byte offset ${position.offset} (gzip file: the offset is in the gunzipped stream)`
      : `byte offset ${position.offset}`;
    super(`${position.source}: record ${position.index} at ${where}: ${CHECK_LABELS[check]}: ${detail}`, options);
    this.name = 'TfRecordError';
    this.source = position.source;
    this.index = position.index;
    this.offset = position.offset;
    this.decompressed = position.decompressed;
    this.check = check;
  }
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

/**
 * Validates a 12-byte record header and returns the payload length. Throws a TfRecordError when the
 * length CRC does not match or the length is beyond what we can hold.
 */
export function parseTfRecordHeader(header: Uint8Array, position: TfRecordPosition): number {
  const lengthBytes = header.subarray(0, 8);
  const stored = readU32(header, 8);
  const computed = maskCrc(crc32c(lengthBytes));
  if (stored !== computed) {
    throw new TfRecordError(
      position,
      'length crc',
      `stored masked CRC ${hex32(stored)}, computed ${hex32(computed)} over the length bytes`,
    );
  }
  const low = readU32(header, 0);
  const high = readU32(header, 4);
  if (high !== 0) {
    const length = (BigInt(high) << 32n) | BigInt(low);
    throw new TfRecordError(
      position,
      'length too large',
      `payload length ${length} exceeds the ${TFRECORD_MAX_PAYLOAD_BYTES} bytes this reader supports`,
    );
  }
  return low;
}

/** Verifies a payload against the 4-byte masked CRC that follows it. */
export function checkTfRecordPayload(payload: Uint8Array, footer: Uint8Array, position: TfRecordPosition): void {
  checkTfRecordPayloadCrc(crc32c(payload), payload.length, footer, position);
}

/** Like checkTfRecordPayload, for a CRC32C (unmasked) already accumulated over `length` payload bytes. */
export function checkTfRecordPayloadCrc(crc: number, length: number, footer: Uint8Array, position: TfRecordPosition): void {
  const stored = readU32(footer, 0);
  const computed = maskCrc(crc);
  if (stored !== computed) {
    throw new TfRecordError(
      position,
      'payload crc',
      `stored masked CRC ${hex32(stored)}, computed ${hex32(computed)} over ${length} payload bytes`,
    );
  }
}

/**
 * True when a stream's first bytes are a gzip member header (magic 1f 8b) and not a valid TFRecord
 * header: an uncompressed record whose length happens to start with 1f 8b has a matching length CRC.
 */
export function isGzipTfRecordHead(head: Uint8Array): boolean {
  if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) return false;
  if (head.length < TFRECORD_HEADER_BYTES) return true;
  return readU32(head, 8) !== maskCrc(crc32c(head.subarray(0, 8)));
}

/** The 12-byte header TensorFlow writes before a payload of `length` bytes. */
export function encodeTfRecordHeader(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > TFRECORD_MAX_PAYLOAD_BYTES) {
    throw new RangeError(`TFRecord payload length ${length} is not an integer in [0, ${TFRECORD_MAX_PAYLOAD_BYTES}]`);
  }
  const header = new Uint8Array(TFRECORD_HEADER_BYTES);
  const view = new DataView(header.buffer);
  view.setUint32(0, length, true);
  view.setUint32(4, 0, true);
  view.setUint32(8, maskedCrc32c(header.subarray(0, 8)), true);
  return header;
}

/** The 4-byte footer (masked CRC32C of the payload). */
export function encodeTfRecordFooter(payload: Uint8Array): Uint8Array {
  const footer = new Uint8Array(TFRECORD_FOOTER_BYTES);
  new DataView(footer.buffer).setUint32(0, maskedCrc32c(payload), true);
  return footer;
}

/** One framed record: header, payload, footer, exactly as TensorFlow's RecordWriter emits it. */
export function encodeTfRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(TFRECORD_HEADER_BYTES + payload.length + TFRECORD_FOOTER_BYTES);
  out.set(encodeTfRecordHeader(payload.length), 0);
  out.set(payload, TFRECORD_HEADER_BYTES);
  out.set(encodeTfRecordFooter(payload), TFRECORD_HEADER_BYTES + payload.length);
  return out;
}

/** Frames many payloads into one uncompressed TFRecord byte stream. */
export function encodeTfRecords(payloads: Iterable<Uint8Array>): Uint8Array {
  const frames = Array.from(payloads, encodeTfRecord);
  const out = new Uint8Array(frames.reduce((sum, frame) => sum + frame.length, 0));
  let at = 0;
  for (const frame of frames) {
    out.set(frame, at);
    at += frame.length;
  }
  return out;
}

/** Options for decoding an in-memory TFRecord stream. */
export interface DecodeTfRecordsOptions {
  /** Label for error messages (a file path, a URL); default "<bytes>". */
  source?: string;
  /** Set when `bytes` were gunzipped from a file, so errors say the offset is in the decompressed stream. */
  decompressed?: boolean;
}

/**
 * Splits an uncompressed TFRecord byte stream into payloads, verifying both CRCs of every record.
 * Payloads are copies (they do not keep `bytes` alive). For large files use the streaming reader.
 */
export function decodeTfRecords(bytes: Uint8Array, options: DecodeTfRecordsOptions = {}): Uint8Array[] {
  const source = options.source ?? '<bytes>';
  const decompressed = options.decompressed ?? false;
  const payloads: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const position: TfRecordPosition = { source, index: payloads.length, offset, decompressed };
    const available = bytes.length - offset;
    if (available < TFRECORD_HEADER_BYTES) {
      throw new TfRecordError(position, 'truncated header', `the stream ends after ${available} of ${TFRECORD_HEADER_BYTES} header bytes`);
    }
    const length = parseTfRecordHeader(bytes.subarray(offset, offset + TFRECORD_HEADER_BYTES), position);
    const needed = length + TFRECORD_FOOTER_BYTES;
    const afterHeader = available - TFRECORD_HEADER_BYTES;
    if (afterHeader < needed) {
      throw new TfRecordError(
        position,
        'truncated payload',
        `the header announces ${length} payload bytes plus a ${TFRECORD_FOOTER_BYTES}-byte CRC, but the stream ends after ${afterHeader} of them`,
      );
    }
    const payloadStart = offset + TFRECORD_HEADER_BYTES;
    // A fresh Uint8Array: Buffer#slice would return a view, and subclasses would leak through.
    const payload = new Uint8Array(length);
    payload.set(bytes.subarray(payloadStart, payloadStart + length));
    checkTfRecordPayload(payload, bytes.subarray(payloadStart + length, payloadStart + needed), position);
    payloads.push(payload);
    offset = payloadStart + needed;
  }
  return payloads;
}
