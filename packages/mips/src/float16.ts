// IEEE 754 binary16 storage (numpy float16 / tf.float16): halves the bytes like bfloat16 but keeps
// 11 significant bits (~3.3 digits) in exchange for a narrow range (|x| < 65520, subnormals below
// 2^-14). Conversions round to nearest, ties to even, as numpy's float32 → float16 cast does.

/** Largest float32 magnitude that does not round to float16 infinity (65504 + half an ulp). */
export const FLOAT16_LIMIT = 65_520;

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** Rounds one number (as float32) to float16 bits; NaN → 0x7e00, overflow → ±Infinity bits. */
export function toFloat16Bits(value: number): number {
  scratch[0] = value;
  const bits = scratchBits[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | (mantissa === 0 ? 0x7c00 : 0x7e00);
  const halfExponent = exponent - 112; // rebias 127 → 15
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal (or zero): the implicit 1 becomes explicit and the mantissa shifts right.
    const shift = 14 - halfExponent;
    if (shift > 24) return sign; // below half the smallest subnormal (2^-25): rounds to ±0
    const full = mantissa | 0x800000;
    let half = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = sign | (halfExponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return half;
}

/** Widens float16 bits to a number exactly. */
export function fromFloat16Bits(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >>> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/** Rounds float32 values to float16 bit patterns. */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i]);
  return out;
}

/** Widens float16 bit patterns to float32 exactly, through a 65536-entry table. */
export function float16ToFloat32(values: Uint16Array): Float32Array {
  const table = float16Table();
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = table[values[i]];
  return out;
}

let table: Float32Array | undefined;

function float16Table(): Float32Array {
  if (table === undefined) {
    table = new Float32Array(65_536);
    for (let h = 0; h < 65_536; h++) table[h] = fromFloat16Bits(h);
  }
  return table;
}
