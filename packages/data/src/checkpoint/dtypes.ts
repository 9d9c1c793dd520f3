// TensorFlow DataType enum (tensorflow/core/framework/types.proto) ↔ the Python dtype names
// (`tf.as_dtype(x).name`), element sizes and the typed arrays tensors are returned in, plus exact
// bfloat16/half → float32 converters (ports of tensorflow/core/lib/bfloat16 and Eigen::half casts).

/** TF dtype names as Python prints them (`tf.float32.name === 'float32'`). */
export type TfDtype =
  | 'float32' | 'float64' | 'int32' | 'uint8' | 'int16' | 'int8' | 'string' | 'complex64' | 'int64'
  | 'bool' | 'qint8' | 'quint8' | 'qint32' | 'bfloat16' | 'qint16' | 'quint16' | 'uint16'
  | 'complex128' | 'float16' | 'resource' | 'variant' | 'uint32' | 'uint64' | 'float8_e5m2'
  | 'float8_e4m3fn';

/** DataType enum numbers from types.proto, indexed by name. */
export const DTYPE_ENUM: Readonly<Record<TfDtype, number>> = Object.freeze({
  float32: 1, float64: 2, int32: 3, uint8: 4, int16: 5, int8: 6, string: 7, complex64: 8, int64: 9,
  bool: 10, qint8: 11, quint8: 12, qint32: 13, bfloat16: 14, qint16: 15, quint16: 16, uint16: 17,
  complex128: 18, float16: 19, resource: 20, variant: 21, uint32: 22, uint64: 23, float8_e5m2: 24,
  float8_e4m3fn: 25,
});

const NAME_BY_ENUM = new Map<number, TfDtype>(Object.entries(DTYPE_ENUM).map(([name, n]) => [n, name as TfDtype]));

/** The dtype name for a DataType enum number, or undefined for DT_INVALID/unknown/_REF values. */
export function dtypeFromEnum(value: number): TfDtype | undefined {
  return NAME_BY_ENUM.get(value);
}

/** Values of a fixed-size tensor, row-major. Complex dtypes interleave (re, im). */
export type NumericValues =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array
  | Uint32Array | BigInt64Array | BigUint64Array;

/** Values of any loadable tensor: DT_STRING elements are raw byte strings. */
export type TensorValues = NumericValues | Uint8Array[];

type NumericArrayClass =
  | Float32ArrayConstructor | Float64ArrayConstructor | Int8ArrayConstructor | Int16ArrayConstructor
  | Int32ArrayConstructor | Uint8ArrayConstructor | Uint16ArrayConstructor | Uint32ArrayConstructor
  | BigInt64ArrayConstructor | BigUint64ArrayConstructor;

interface FixedLayout {
  /** Typed array the values come back in. */
  arrayClass: NumericArrayClass;
  /** Typed-array elements per tensor element (2 for complex). */
  lanes: number;
}

// Raw 16-bit floats (bfloat16, half) come back as their bit patterns; bool and float8 as bytes.
const FIXED_LAYOUTS: Partial<Record<TfDtype, FixedLayout>> = {
  float32: { arrayClass: Float32Array, lanes: 1 },
  float64: { arrayClass: Float64Array, lanes: 1 },
  int32: { arrayClass: Int32Array, lanes: 1 },
  uint8: { arrayClass: Uint8Array, lanes: 1 },
  int16: { arrayClass: Int16Array, lanes: 1 },
  int8: { arrayClass: Int8Array, lanes: 1 },
  complex64: { arrayClass: Float32Array, lanes: 2 },
  int64: { arrayClass: BigInt64Array, lanes: 1 },
  bool: { arrayClass: Uint8Array, lanes: 1 },
  qint8: { arrayClass: Int8Array, lanes: 1 },
  quint8: { arrayClass: Uint8Array, lanes: 1 },
  qint32: { arrayClass: Int32Array, lanes: 1 },
  bfloat16: { arrayClass: Uint16Array, lanes: 1 },
  qint16: { arrayClass: Int16Array, lanes: 1 },
  quint16: { arrayClass: Uint16Array, lanes: 1 },
  uint16: { arrayClass: Uint16Array, lanes: 1 },
  complex128: { arrayClass: Float64Array, lanes: 2 },
  float16: { arrayClass: Uint16Array, lanes: 1 },
  uint32: { arrayClass: Uint32Array, lanes: 1 },
  uint64: { arrayClass: BigUint64Array, lanes: 1 },
  float8_e5m2: { arrayClass: Uint8Array, lanes: 1 },
  float8_e4m3fn: { arrayClass: Uint8Array, lanes: 1 },
};

/** Layout of a fixed-size (memcpy-able) dtype; undefined for string, resource and variant. */
export function fixedLayout(dtype: TfDtype): FixedLayout | undefined {
  return FIXED_LAYOUTS[dtype];
}

/** Bytes per tensor element of a fixed-size dtype (e.g. 8 for complex64). */
export function elementByteSize(dtype: TfDtype): number | undefined {
  const layout = FIXED_LAYOUTS[dtype];
  return layout ? layout.arrayClass.BYTES_PER_ELEMENT * layout.lanes : undefined;
}

/** Number of elements of a shape (1 for a scalar), checked to stay a safe integer. */
export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const dim of shape) n *= dim;
  if (!Number.isSafeInteger(n)) throw new Error(`shape [${shape.join(', ')}] has too many elements`);
  return n;
}

/**
 * Views little-endian bytes as the dtype's typed array (no copy when aligned); big-endian bundles
 * are byte-swapped into a copy, never in the caller's buffer.
 */
export function bytesToNumeric(dtype: TfDtype, bytes: Uint8Array, bigEndian = false): NumericValues {
  const layout = FIXED_LAYOUTS[dtype];
  if (!layout) throw new Error(`dtype ${dtype} has no fixed-size layout`);
  const width = layout.arrayClass.BYTES_PER_ELEMENT;
  const swap = bigEndian && width > 1;
  const own = bytes.byteOffset % width === 0 && !swap ? bytes : bytes.slice();
  if (swap) {
    for (let i = 0; i + width <= own.length; i += width) own.subarray(i, i + width).reverse();
  }
  return new layout.arrayClass(own.buffer as ArrayBuffer, own.byteOffset, own.length / width);
}

/** The little-endian bytes of a typed array (a view, no copy, on little-endian hosts). */
export function numericToBytes(values: NumericValues): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Exact bfloat16 → float32: bfloat16 is the top half of a float32. */
export function bfloat16ToFloat32(raw: Uint16Array): Float32Array {
  const bits = new Uint32Array(raw.length);
  for (let i = 0; i < raw.length; i++) bits[i] = raw[i] << 16;
  return new Float32Array(bits.buffer);
}

/** Exact IEEE 754 binary16 → float32 (subnormals, ±0, ±Inf and NaN payloads preserved). */
export function float16ToFloat32(raw: Uint16Array): Float32Array {
  const bits = new Uint32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const h = raw[i];
    const sign = (h & 0x8000) << 16;
    const exponent = (h >>> 10) & 0x1f;
    let mantissa = h & 0x3ff;
    if (exponent === 0x1f) {
      bits[i] = sign | 0x7f800000 | (mantissa << 13);
    } else if (exponent !== 0) {
      bits[i] = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa === 0) {
      bits[i] = sign;
    } else {
      // Subnormal half: normalise the mantissa; each shift lowers the float32 exponent by one.
      let e = 113;
      while ((mantissa & 0x400) === 0) {
        mantissa <<= 1;
        e--;
      }
      bits[i] = sign | (e << 23) | ((mantissa & 0x3ff) << 13);
    }
  }
  return new Float32Array(bits.buffer);
}

/**
 * float32 → bfloat16 bits with round-to-nearest-even, NaN kept NaN (quiet bit set), as TF's
 * `bfloat16(float)` constructor does since TF 2.x.
 */
export function float32ToBfloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const b = bits[i];
    if ((b & 0x7fffffff) > 0x7f800000) {
      out[i] = (b >>> 16) | 0x0040;
    } else {
      out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
    }
  }
  return out;
}
