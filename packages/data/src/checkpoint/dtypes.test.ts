// 16-bit float conversions against hand-worked values and an independent formula.
import { describe, expect, test } from 'vitest';
import { bfloat16ToFloat32, bytesToNumeric, dtypeFromEnum, elementByteSize, float16ToFloat32, float32ToBfloat16 } from './dtypes.js';

const bitsOf = (values: Float32Array): number[] => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

describe('float16 (IEEE binary16)', () => {
  test('hand-worked values', () => {
    const raw = Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x7c00, 0xfc00, 0x8000, 0x3555);
    expect(Array.from(float16ToFloat32(raw))).toEqual([1, -2, 65504, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, Infinity, -Infinity, -0, Math.fround(0.333251953125)]);
  });

  test('all 65536 bit patterns agree with sign × 2^(e−15) × (1 + m/1024) (subnormal: 2^−14 × m/1024)', () => {
    const raw = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const converted = float16ToFloat32(raw);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const e = (h >> 10) & 0x1f;
      const m = h & 0x3ff;
      const expected = e === 31 ? (m ? NaN : sign * Infinity) : e === 0 ? sign * 2 ** -14 * (m / 1024) : sign * 2 ** (e - 15) * (1 + m / 1024);
      if (!Object.is(converted[h], expected)) throw new Error(`half 0x${h.toString(16)} → ${converted[h]}, expected ${expected}`);
    }
  });

  test('NaN payloads and sign survive', () => {
    expect(bitsOf(float16ToFloat32(Uint16Array.of(0x7d01, 0xfe00)))).toEqual([0x7fa02000, 0xffc00000]);
  });
});

describe('bfloat16', () => {
  test('to float32 is the top half of the bits', () => {
    expect(Array.from(bfloat16ToFloat32(Uint16Array.of(0x3f80, 0xc000, 0x4049, 0x8000)))).toEqual([1, -2, 3.140625, -0]);
    expect(bitsOf(bfloat16ToFloat32(Uint16Array.of(0x7fc1)))).toEqual([0x7fc10000]);
  });

  test('from float32 rounds to nearest even and keeps NaN', () => {
    const input = new Float32Array(new Uint32Array([0x3f808000, 0x3f818000, 0x3f808001, 0x7f7fffff, 0x7f800001, 0xbf800000]).buffer);
    // ties: 0x3f80|8000 → even 0x3f80; 0x3f81|8000 → 0x3f82; just above a tie rounds up; max float → Inf
    expect(Array.from(float32ToBfloat16(input))).toEqual([0x3f80, 0x3f82, 0x3f81, 0x7f80, 0x7fc0, 0xbf80]);
  });
});

describe('layouts', () => {
  test('enum numbers and element sizes from types.proto', () => {
    expect([1, 9, 7, 14, 19, 18, 23].map(dtypeFromEnum)).toEqual(['float32', 'int64', 'string', 'bfloat16', 'float16', 'complex128', 'uint64']);
    expect(dtypeFromEnum(101)).toBeUndefined(); // DT_FLOAT_REF never appears in a checkpoint
    expect(['complex64', 'bool', 'int64', 'float16'].map((d) => elementByteSize(d as never))).toEqual([8, 1, 8, 2]);
    expect(elementByteSize('string')).toBeUndefined();
  });

  test('bytesToNumeric copies misaligned input and swaps big-endian bytes', () => {
    const backing = Uint8Array.of(0xff, 0x3f, 0xc0, 0x00, 0x00);
    const view = backing.subarray(1); // byteOffset 1: not 4-aligned
    expect(Array.from(bytesToNumeric('float32', view, true) as Float32Array)).toEqual([1.5]);
    expect(Array.from(backing.subarray(1))).toEqual([0x3f, 0xc0, 0, 0]); // caller's bytes untouched
    expect(Array.from(bytesToNumeric('int16', Uint8Array.of(0x01, 0x02)) as Int16Array)).toEqual([0x0201]);
  });
});
