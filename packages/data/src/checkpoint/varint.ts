// Little-endian base-128 varints (LevelDB's coding.h GetVarint32/64, PutVarint32/64; protobuf wire
// format), bounds-checked so that a corrupt length fails with the byte offset instead of reading
// past the end. Shared by the SSTable codec and the bundle protos.

/** A decoded varint and the offset just past it. */
export interface VarintRead {
  value: number;
  next: number;
}

/**
 * Reads an unsigned varint of at most 64 bits that must fit in a JS safe integer (< 2^53).
 * `what` names the field in error messages; `describe` names the buffer (e.g. "foo.index block 0").
 */
export function readVarint(bytes: Uint8Array, offset: number, end: number, what: string, describe: string): VarintRead {
  let result = 0;
  let scale = 1;
  for (let pos = offset, i = 0; i < 10; i++, pos++) {
    if (pos >= end) {
      throw new Error(`${describe}: ${what} varint at byte ${offset} runs past the end (byte ${end})`);
    }
    const byte = bytes[pos];
    result += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      if (!Number.isSafeInteger(result)) {
        throw new Error(`${describe}: ${what} varint at byte ${offset} is ${result}, too large (must be < 2^53)`);
      }
      return { value: result, next: pos + 1 };
    }
    scale *= 128;
  }
  throw new Error(`${describe}: ${what} varint at byte ${offset} is longer than 10 bytes`);
}

/** Reads an unsigned varint of up to 64 bits as a bigint (protobuf int64/uint64/int32 fields). */
export function readVarintBig(bytes: Uint8Array, offset: number, end: number, what: string, describe: string): { value: bigint; next: number } {
  let result = 0n;
  let shift = 0n;
  for (let pos = offset, i = 0; i < 10; i++, pos++) {
    if (pos >= end) {
      throw new Error(`${describe}: ${what} varint at byte ${offset} runs past the end (byte ${end})`);
    }
    const byte = bytes[pos];
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value: BigInt.asUintN(64, result), next: pos + 1 };
    shift += 7n;
  }
  throw new Error(`${describe}: ${what} varint at byte ${offset} is longer than 10 bytes`);
}

/** Appends the varint encoding of a non-negative safe integer to `out`. */
export function pushVarint(out: number[], value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`varint: ${value} is not a non-negative safe integer`);
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/** Appends the varint encoding of an unsigned 64-bit value (negative int64 as two's complement). */
export function pushVarintBig(out: number[], value: bigint): void {
  let v = BigInt.asUintN(64, value);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

/** Number of bytes `pushVarint` would write for `value`. */
export function varintLength(value: number): number {
  let n = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) n++;
  return n;
}
