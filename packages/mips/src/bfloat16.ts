// bfloat16 storage (the top 16 bits of a float32), as TF's bfloat16 and tfjs/XLA use it: halves the
// bytes a scan reads, with ~3 significant digits per component.

/** Rounds to nearest bfloat16 (ties to even), as tensorflow/core/platform/bfloat16.h does. */
export function float32ToBfloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  }
  return out;
}

/** Widens bfloat16 values to float32 exactly. */
export function bfloat16ToFloat32(values: Uint16Array): Float32Array {
  const bits = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) bits[i] = values[i] << 16;
  return new Float32Array(bits.buffer);
}
