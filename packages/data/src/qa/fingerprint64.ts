// FarmHash Fingerprint64 (= farmhashna::Hash64 in google/farmhash src/farmhash.cc, v1.1) and
// TensorFlow's tf.strings.to_hash_bucket_fast, which is Fingerprint64(utf8(s)) mod num_buckets.
// Ports farmhashna::{HashLen0to16, HashLen17to32, HashLen33to64, Hash64} with unsigned 64-bit BigInt arithmetic.

const MASK64 = (1n << 64n) - 1n;
// "Some primes between 2^63 and 2^64 for various uses" (farmhash.cc k0, k1, k2).
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;

const utf8 = new TextEncoder();

function u64(x: bigint): bigint {
  return x & MASK64;
}

function rotate(value: bigint, shift: bigint): bigint {
  // farmhash's BasicRotate64 special-cases 0 because a C++ shift by 64 is undefined.
  return shift === 0n ? value : u64((value >> shift) | (value << (64n - shift)));
}

function shiftMix(value: bigint): bigint {
  return value ^ (value >> 47n);
}

/** Little-endian reads, as farmhash's Fetch64/Fetch32 on the (little-endian) reference platforms. */
class ByteReader {
  private readonly view: DataView;
  constructor(bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  fetch64(offset: number): bigint {
    return this.view.getBigUint64(offset, true);
  }
  fetch32(offset: number): bigint {
    return BigInt(this.view.getUint32(offset, true));
  }
  byte(offset: number): bigint {
    return BigInt(this.view.getUint8(offset));
  }
}

// Murmur-inspired mix of two 64-bit words (farmhashna::HashLen16 with an explicit multiplier).
function hashLen16(u: bigint, v: bigint, mul: bigint): bigint {
  let a = u64((u ^ v) * mul);
  a ^= a >> 47n;
  let b = u64((v ^ a) * mul);
  b ^= b >> 47n;
  return u64(b * mul);
}

function hashLen0to16(s: ByteReader, len: number): bigint {
  const length = BigInt(len);
  if (len >= 8) {
    const mul = u64(K2 + length * 2n);
    const a = u64(s.fetch64(0) + K2);
    const b = s.fetch64(len - 8);
    const c = u64(rotate(b, 37n) * mul + a);
    const d = u64((rotate(a, 25n) + b) * mul);
    return hashLen16(c, d, mul);
  }
  if (len >= 4) {
    const mul = u64(K2 + length * 2n);
    const a = s.fetch32(0);
    return hashLen16(u64(length + (a << 3n)), s.fetch32(len - 4), mul);
  }
  if (len > 0) {
    const a = s.byte(0);
    const b = s.byte(len >> 1);
    const c = s.byte(len - 1);
    // y and z are uint32_t in C++; neither can overflow 32 bits for len <= 3.
    const y = a + (b << 8n);
    const z = length + (c << 2n);
    return u64(shiftMix(u64(y * K2) ^ u64(z * K0)) * K2);
  }
  return K2;
}

function hashLen17to32(s: ByteReader, len: number): bigint {
  const mul = u64(K2 + BigInt(len) * 2n);
  const a = u64(s.fetch64(0) * K1);
  const b = s.fetch64(8);
  const c = u64(s.fetch64(len - 8) * mul);
  const d = u64(s.fetch64(len - 16) * K2);
  return hashLen16(u64(rotate(u64(a + b), 43n) + rotate(c, 30n) + d), u64(a + rotate(u64(b + K2), 18n) + c), mul);
}

function hashLen33to64(s: ByteReader, len: number): bigint {
  const mul = u64(K2 + BigInt(len) * 2n);
  const a = u64(s.fetch64(0) * K2);
  const b = s.fetch64(8);
  const c = u64(s.fetch64(len - 8) * mul);
  const d = u64(s.fetch64(len - 16) * K2);
  const y = u64(rotate(u64(a + b), 43n) + rotate(c, 30n) + d);
  const z = hashLen16(y, u64(a + rotate(u64(b + K2), 18n) + c), mul);
  const e = u64(s.fetch64(16) * mul);
  const f = s.fetch64(24);
  const g = u64((y + s.fetch64(len - 32)) * mul);
  const h = u64((z + s.fetch64(len - 24)) * mul);
  return hashLen16(u64(rotate(u64(e + f), 43n) + rotate(g, 30n) + h), u64(e + rotate(u64(f + a), 18n) + g), mul);
}

type Pair = [bigint, bigint];

// Returns a 16-byte hash for the 32 bytes at `offset` plus seeds a and b (WeakHashLen32WithSeeds).
function weakHashLen32WithSeeds(s: ByteReader, offset: number, seedA: bigint, seedB: bigint): Pair {
  const w = s.fetch64(offset);
  const x = s.fetch64(offset + 8);
  const y = s.fetch64(offset + 16);
  const z = s.fetch64(offset + 24);
  let a = u64(seedA + w);
  let b = rotate(u64(seedB + a + z), 21n);
  const c = a;
  a = u64(a + x + y);
  b = u64(b + rotate(a, 44n));
  return [u64(a + z), u64(b + c)];
}

/** FarmHash Fingerprint64 of a byte string (farmhashna::Hash64), as an unsigned 64-bit bigint. */
export function fingerprint64(bytes: Uint8Array): bigint {
  const s = new ByteReader(bytes);
  const len = bytes.length;
  if (len <= 16) return hashLen0to16(s, len);
  if (len <= 32) return hashLen17to32(s, len);
  if (len <= 64) return hashLen33to64(s, len);

  // Over 64 bytes: 56 bytes of state (v, w, x, y, z) consume 64-byte chunks.
  const seed = 81n;
  let x = seed;
  let y = u64(seed * K1 + 113n);
  let z = u64(shiftMix(u64(y * K2 + 113n)) * K2);
  let v: Pair = [0n, 0n];
  let w: Pair = [0n, 0n];
  x = u64(x * K2 + s.fetch64(0));

  // Loop so that 1 to 64 bytes remain afterwards; the tail is re-read as the last 64 bytes.
  const end = Math.floor((len - 1) / 64) * 64;
  const last64 = len - 64;
  let at = 0;
  do {
    x = u64(rotate(u64(x + y + v[0] + s.fetch64(at + 8)), 37n) * K1);
    y = u64(rotate(u64(y + v[1] + s.fetch64(at + 48)), 42n) * K1);
    x ^= w[1];
    y = u64(y + v[0] + s.fetch64(at + 40));
    z = u64(rotate(u64(z + w[0]), 33n) * K1);
    v = weakHashLen32WithSeeds(s, at, u64(v[1] * K1), u64(x + w[0]));
    w = weakHashLen32WithSeeds(s, at + 32, u64(z + w[1]), u64(y + s.fetch64(at + 16)));
    [z, x] = [x, z];
    at += 64;
  } while (at !== end);
  const mul = u64(K1 + ((z & 0xffn) << 1n));
  at = last64;
  w[0] = u64(w[0] + BigInt((len - 1) & 63));
  v[0] = u64(v[0] + w[0]);
  w[0] = u64(w[0] + v[0]);
  x = u64(rotate(u64(x + y + v[0] + s.fetch64(at + 8)), 37n) * mul);
  y = u64(rotate(u64(y + v[1] + s.fetch64(at + 48)), 42n) * mul);
  x ^= u64(w[1] * 9n);
  y = u64(y + v[0] * 9n + s.fetch64(at + 40));
  z = u64(rotate(u64(z + w[0]), 33n) * mul);
  v = weakHashLen32WithSeeds(s, at, u64(v[1] * mul), u64(x + w[0]));
  w = weakHashLen32WithSeeds(s, at + 32, u64(z + w[1]), u64(y + s.fetch64(at + 16)));
  [z, x] = [x, z];
  return hashLen16(
    u64(hashLen16(v[0], w[0], mul) + u64(shiftMix(y) * K0) + z),
    u64(hashLen16(v[1], w[1], mul) + x),
    mul,
  );
}

/** Fingerprint64 of a string's UTF-8 bytes (how TensorFlow hashes a tf.string). */
export function fingerprint64OfString(text: string): bigint {
  return fingerprint64(utf8.encode(text));
}

/**
 * tf.strings.to_hash_bucket_fast(text, numBuckets): Fingerprint64(utf8(text)) mod numBuckets, with the
 * fingerprint read as unsigned (TensorFlow's StringToHashBucketFast computes `uint64 % num_buckets`).
 */
export function toHashBucketFast(text: string, numBuckets: number): number {
  if (!Number.isSafeInteger(numBuckets) || numBuckets < 1) {
    throw new Error(`toHashBucketFast: numBuckets must be an integer >= 1, got ${numBuckets}`);
  }
  return Number(fingerprint64OfString(text) % BigInt(numBuckets));
}
