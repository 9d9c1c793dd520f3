// DT_STRING layout in a data shard: varint64 lengths, masked CRC32C of the lengths, raw bytes; the
// entry CRC covers each length as uint32 (uint64 past 4 GiB), the 4 checksum bytes and the strings.
// Ports tensor_bundle.cc WriteStringTensor / ReadStringTensor.
import { crc32cUpdate, maskCrc, unmaskCrc } from '../formats/crc32c.js';
import { pushVarint, readVarint } from './varint.js';

const UINT32_MAX = 0xffffffff;

/** The checksum input for one length: 4 bytes (8 past UINT32_MAX) in the writer's byte order. */
function lengthBytes(length: number, bigEndian: boolean): Uint8Array {
  const wide = length > UINT32_MAX;
  const bytes = new Uint8Array(wide ? 8 : 4);
  const view = new DataView(bytes.buffer);
  if (wide) view.setBigUint64(0, BigInt(length), !bigEndian);
  else view.setUint32(0, length, !bigEndian);
  return bytes;
}

/** Serialises string elements; returns the bytes and the (unmasked) entry CRC32C. */
export function encodeStringTensor(elements: readonly Uint8Array[]): { bytes: Uint8Array; crc: number } {
  const lengths: number[] = [];
  let crc = 0;
  for (const element of elements) {
    pushVarint(lengths, element.length);
    crc = crc32cUpdate(crc, lengthBytes(element.length, false));
  }
  const total = lengths.length + 4 + elements.reduce((sum, e) => sum + e.length, 0);
  const bytes = new Uint8Array(total);
  bytes.set(lengths);
  const checksum = new Uint8Array(4);
  new DataView(checksum.buffer).setUint32(0, maskCrc(crc), true);
  bytes.set(checksum, lengths.length);
  crc = crc32cUpdate(crc, checksum);
  let pos = lengths.length + 4;
  for (const element of elements) {
    bytes.set(element, pos);
    crc = crc32cUpdate(crc, element);
    pos += element.length;
  }
  return { bytes, crc };
}

/**
 * Parses `count` string elements that must exactly fill `bytes` (one entry's [offset, offset+size)),
 * verifying the length checksum. Returns views into `bytes` and the computed (unmasked) entry CRC.
 */
export function decodeStringTensor(bytes: Uint8Array, count: number, describe: string, bigEndian = false): { values: Uint8Array[]; crc: number } {
  // TF's ReadStringTensor accepts an empty entry without reading anything (checksum of nothing).
  if (bytes.length === 0 && count === 0) return { values: [], crc: 0 };
  const lengths: number[] = [];
  let crc = 0;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const length = readVarint(bytes, pos, bytes.length, `length of element ${i}`, describe);
    lengths.push(length.value);
    crc = crc32cUpdate(crc, lengthBytes(length.value, bigEndian));
    pos = length.next;
  }
  if (pos + 4 > bytes.length) {
    throw new Error(`${describe}: the ${count} string lengths leave no room for their 4-byte checksum (entry is ${bytes.length} bytes)`);
  }
  const checksumBytes = bytes.subarray(pos, pos + 4);
  const stored = new DataView(checksumBytes.buffer, checksumBytes.byteOffset, 4).getUint32(0, !bigEndian);
  if (unmaskCrc(stored) !== crc) {
    throw new Error(`${describe}: string length checksum mismatch at byte ${pos} (stored masked 0x${stored.toString(16).padStart(8, '0')}, lengths hash to 0x${crc.toString(16).padStart(8, '0')} unmasked)`);
  }
  crc = crc32cUpdate(crc, checksumBytes);
  pos += 4;
  const values: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    if (pos + lengths[i] > bytes.length) {
      throw new Error(`${describe}: string element ${i} (${lengths[i]} bytes at byte ${pos}) runs past the entry's ${bytes.length} bytes`);
    }
    const value = bytes.subarray(pos, pos + lengths[i]);
    crc = crc32cUpdate(crc, value);
    values.push(value);
    pos += lengths[i];
  }
  if (pos !== bytes.length) {
    throw new Error(`${describe}: ${bytes.length - pos} unaccounted bytes after the ${count} string elements`);
  }
  return { values, crc };
}

/** Decodes string elements as UTF-8, naming the first element that is not valid UTF-8. */
export function stringsFromBytes(values: readonly Uint8Array[], describe: string): string[] {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  return values.map((value, i) => {
    try {
      return decoder.decode(value);
    } catch {
      throw new Error(`${describe}: string element ${i} is not valid UTF-8 (use the raw bytes instead)`);
    }
  });
}
