// Symmetric int8 quantisation with one scale per vector (faiss ScalarQuantizer QT_8bit_direct-style,
// per-row range): row r is stored as q[r][j] = round(x[r][j] / s_r) ∈ [−127, 127] with
// s_r = max_j |x[r][j]| / 127, and read back as q·s_r. A quarter of float32's bytes; each component
// is off by at most s_r / 2 = max|x_r| / 254.

/** Quantised rows: values row-major int8, one float32 scale per row. */
export interface Int8Rows {
  readonly values: Int8Array;
  readonly scales: Float32Array;
}

/** Quantises row-major rows `dim` wide (rounding half away from zero, so ±x map to ±q). */
export function quantizeInt8Rows(vectors: Float32Array, dim: number): Int8Rows {
  const rows = vectors.length / dim;
  const values = new Int8Array(vectors.length);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    let max = 0;
    for (let j = 0; j < dim; j++) max = Math.max(max, Math.abs(vectors[base + j]));
    const scale = Math.fround(max / 127);
    scales[r] = scale;
    if (scale === 0) continue; // all-zero row (or only float32 subnormals below 127·2^-149): stays 0
    for (let j = 0; j < dim; j++) {
      const x = vectors[base + j] / scale;
      const q = Math.min(127, Math.round(Math.abs(x)));
      values[base + j] = x < 0 ? -q : q;
    }
  }
  return { values, scales };
}

/** Dequantises rows: x̂[r][j] = q[r][j] · s_r, rounded to float32. */
export function dequantizeInt8Rows(values: Int8Array, scales: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < scales.length; r++) {
    const scale = scales[r];
    const base = r * dim;
    for (let j = 0; j < dim; j++) out[base + j] = values[base + j] * scale;
  }
  return out;
}
