import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { fixture } from '@realm/testing';
import { maskCrc, maskedCrc32c } from '../formats/crc32c.js';
import {
  TfRecordError,
  decodeTfRecords,
  encodeTfRecord,
  encodeTfRecordHeader,
  encodeTfRecords,
  isGzipTfRecordHead,
} from './framing.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const bert = fixture('tfrecord/bert_create_pretraining_data/tf_examples.vincentcheny.tfrecord');

function thrown(fn: () => unknown): TfRecordError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TfRecordError);
    return error as TfRecordError;
  }
  throw new Error('expected a TfRecordError, nothing was thrown');
}

describe('TFRecord framing', () => {
  test('a record is u64 LE length, masked CRC, payload, masked CRC32C of the payload', () => {
    const frame = encodeTfRecord(utf8('abc'));
    expect(frame.length).toBe(12 + 3 + 4);
    expect(Array.from(frame.subarray(0, 8))).toEqual([3, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(frame.subarray(12, 15))).toEqual([0x61, 0x62, 0x63]);
    // CRC-32C("abc") = 0x364b3fb7 (published check value), stored masked and little-endian.
    expect(new DataView(frame.buffer).getUint32(15, true)).toBe(maskCrc(0x364b3fb7));
  });

  test.skipIf(!bert.present)('our header for a length equals the header TensorFlow wrote (record 0 of the BERT file: 820 bytes)', () => {
    const file = readFileSync(bert.path);
    expect(Array.from(file.subarray(0, 12))).toEqual([0x34, 0x03, 0, 0, 0, 0, 0, 0, 0x64, 0x23, 0xa8, 0xf5]);
    expect(Array.from(encodeTfRecordHeader(820))).toEqual(Array.from(file.subarray(0, 12)));
  });

  test('decodeTfRecords inverts encodeTfRecords, including empty payloads and an empty stream', () => {
    const payloads = [utf8(''), utf8('x'), new Uint8Array(300).map((_, i) => i & 0xff), utf8('last')];
    expect(decodeTfRecords(encodeTfRecords(payloads))).toEqual(payloads);
    expect(decodeTfRecords(new Uint8Array(0))).toEqual([]);
  });

  test('a flipped length byte fails the length CRC with source, record index and offset', () => {
    const bytes = encodeTfRecords([utf8('first'), utf8('second')]);
    const secondOffset = 12 + 5 + 4;
    bytes[secondOffset + 1] ^= 0x01;
    const error = thrown(() => decodeTfRecords(bytes, { source: 'data.tfrecord' }));
    expect(error.check).toBe('length crc');
    expect(error.offset).toBe(21);
    expect(error.message).toMatch(/^data\.tfrecord: record 1 at byte offset 21: length CRC mismatch: stored masked CRC 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8} over the length bytes$/);
  });

  test('a flipped payload byte fails the payload CRC', () => {
    const bytes = encodeTfRecords([utf8('first'), utf8('second')]);
    bytes[12 + 2] ^= 0x80;
    const error = thrown(() => decodeTfRecords(bytes, { source: 'f' }));
    expect(error.check).toBe('payload crc');
    expect(error.message).toMatch(/^f: record 0 at byte offset 0: payload CRC mismatch: .* over 5 payload bytes$/);
  });

  test('truncation inside a header and inside a payload are reported as such', () => {
    const bytes = encodeTfRecords([utf8('first'), utf8('second')]);
    const header = thrown(() => decodeTfRecords(bytes.subarray(0, 21 + 7), { source: 'f' }));
    expect(header.message).toBe('f: record 1 at byte offset 21: truncated header: the stream ends after 7 of 12 header bytes');
    const payload = thrown(() => decodeTfRecords(bytes.subarray(0, 21 + 12 + 6 + 3), { source: 'f' }));
    expect(payload.message).toBe(
      'f: record 1 at byte offset 21: truncated payload: the header announces 6 payload bytes plus a 4-byte CRC, but the stream ends after 9 of them',
    );
  });

  test('decompressed offsets say so in the message', () => {
    const bytes = encodeTfRecords([utf8('a')]).subarray(0, 5);
    const error = thrown(() => decodeTfRecords(bytes, { source: 'x.gz', decompressed: true }));
    expect(error.message).toBe(
      'x.gz: record 0 at decompressed byte offset 0 (gzip file: the offset is in the gunzipped stream): truncated header: the stream ends after 5 of 12 header bytes',
    );
  });

  test('a length beyond 4 GiB with a valid length CRC is refused rather than allocated', () => {
    const header = new Uint8Array(12);
    const view = new DataView(header.buffer);
    view.setUint32(4, 1, true); // length 2^32
    view.setUint32(8, maskedCrc32c(header.subarray(0, 8)), true);
    const error = thrown(() => decodeTfRecords(header, { source: 'big' }));
    expect(error.check).toBe('length too large');
    expect(error.message).toBe('big: record 0 at byte offset 0: length too large: payload length 4294967296 exceeds the 4294967295 bytes this reader supports');
  });

  test('gzip detection: magic bytes, unless the head is a valid TFRecord header', () => {
    expect(isGzipTfRecordHead(Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0, 0))).toBe(true);
    expect(isGzipTfRecordHead(Uint8Array.of(0x1f, 0x8b))).toBe(true);
    expect(isGzipTfRecordHead(encodeTfRecord(utf8('abc')))).toBe(false);
    // An uncompressed record of 0x8b1f = 35615 bytes starts with 1f 8b but is not gzip.
    expect(isGzipTfRecordHead(encodeTfRecordHeader(0x8b1f))).toBe(false);
  });
});
