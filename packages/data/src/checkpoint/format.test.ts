// Text and JSON renderings used by `realm checkpoint ls/get`.
import { describe, expect, test } from 'vitest';
import type { CheckpointEntry, CheckpointTensor } from './bundle-reader.js';
import { formatCheckpointTable, formatFloat32, tensorToJson, tensorToText } from './format.js';

const tensor = (dtype: CheckpointTensor['dtype'], shape: number[], values: CheckpointTensor['values']): CheckpointTensor => ({ name: 't', dtype, shape, values });

describe('formatFloat32', () => {
  test('shortest decimal that round-trips through float32', () => {
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(0.5)).toBe('0.5');
    expect(formatFloat32(Math.fround(-6.13113752e-6))).toBe('-0.0000061311375');
    expect(formatFloat32(Math.fround(16777217))).toBe('16777216');
    expect(formatFloat32(-0)).toBe('-0');
    expect(formatFloat32(NaN)).toBe('NaN');
    expect(formatFloat32(-Infinity)).toBe('-Infinity');
    // every printed value identifies the same float32
    for (const x of [1 / 3, Math.PI, 1e-40, 3.4e38, 1.17549435e-38]) {
      const f = Math.fround(x);
      expect(Math.fround(Number(formatFloat32(f)))).toBe(f);
    }
  });
});

describe('tensorToJson', () => {
  test('non-finite floats as strings, -0 kept, int64 as strings, bools, complex interleaved', () => {
    expect(tensorToJson(tensor('float32', [4], Float32Array.of(NaN, -0, Infinity, 2.5)))).toBe('{"name":"t","dtype":"float32","shape":[4],"values":["NaN",-0,"Infinity",2.5]}');
    expect(JSON.parse(tensorToJson(tensor('float32', [1], Float32Array.of(-0)))).values[0]).toBe(-0);
    expect(tensorToJson(tensor('int64', [2], BigInt64Array.of(-(2n ** 63n), 20n)))).toBe('{"name":"t","dtype":"int64","shape":[2],"values":["-9223372036854775808","20"]}');
    expect(tensorToJson(tensor('bool', [2], Uint8Array.of(1, 0)))).toBe('{"name":"t","dtype":"bool","shape":[2],"values":[true,false]}');
    expect(tensorToJson(tensor('complex64', [1], Float32Array.of(1, -0.5)))).toBe('{"name":"t","dtype":"complex64","shape":[1],"values":[1,-0.5]}');
    expect(tensorToJson(tensor('float64', [1], Float64Array.of(0.1)))).toBe('{"name":"t","dtype":"float64","shape":[1],"values":[0.1]}');
    expect(tensorToJson(tensor('bfloat16', [1], Uint16Array.of(0x3fc0)))).toBe('{"name":"t","dtype":"bfloat16","shape":[1],"values":[1.5]}');
  });

  test('strings: UTF-8 when all decode, otherwise all base64', () => {
    const text = [Uint8Array.of(0x68, 0x69), new Uint8Array(0)];
    expect(tensorToJson(tensor('string', [2], text))).toBe('{"name":"t","dtype":"string","shape":[2],"values":["hi",""]}');
    expect(tensorToJson(tensor('string', [2], [Uint8Array.of(0x68, 0x69), Uint8Array.of(0xff)]))).toBe(
      '{"name":"t","dtype":"string","shape":[2],"encoding":"base64","values":["aGk=","/w=="]}',
    );
  });
});

describe('text output', () => {
  test('rows of the last axis; scalars on one line; empty tensors print only the header', () => {
    expect(tensorToText(tensor('int32', [2, 3], Int32Array.of(1, 2, 3, 4, 5, 6)))).toBe('t int32 [2, 3]\n1 2 3\n4 5 6');
    expect(tensorToText(tensor('float32', [], Float32Array.of(0.5)))).toBe('t float32 []\n0.5');
    expect(tensorToText(tensor('float32', [3, 0], new Float32Array(0)))).toBe('t float32 [3, 0]');
    expect(tensorToText(tensor('complex64', [2], Float32Array.of(1, 2, 3, 4)))).toBe('t complex64 [2]\n1 2 3 4');
  });

  test('ls table aligns columns and notes partitioned variables', () => {
    const entry = (name: string, shape: number[], slices: string[] = []): CheckpointEntry => ({ name, dtype: 'float32', shape, shardId: 0, offset: 0, size: 0, crc32c: 0, slices });
    expect(formatCheckpointTable([entry('w', [2, 3]), entry('embeddings', [10], ['0,5', '5,5'])])).toBe(
      ['name        dtype    shape', 'w           float32  [2, 3]', 'embeddings  float32  [10]    partitioned: 0,5 5,5'].join('\n'),
    );
  });
});
