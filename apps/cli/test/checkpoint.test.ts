// `realm checkpoint ls|get` on real TensorFlow checkpoints (shared/fixtures, MANIFEST §1).
import { join } from 'node:path';
import { fixture } from '@realm/testing';
import { describe, expect, test } from 'vitest';
import { runCli } from './run-cli.js';

const prefixOf = (relative: string): { prefix: string; present: boolean } => {
  const f = fixture(`tf_checkpoints/${relative}.index`);
  return { prefix: f.path.replace(/\.index$/, ''), present: f.present };
};

const mkl = prefixOf('tf_serving/saved_model_half_plus_two_mkl/variables');
const halfPlusTwo = prefixOf('tf_serving/saved_model_half_plus_two_2_versions/variables');
const bert = prefixOf('keras_bert_tiny/bert_model.ckpt');
const tf2 = prefixOf('tf_serving/saved_model_half_plus_two_tf2_cpu/variables');
const indexOnly = prefixOf('google_bert_tiny_uncased_L-2_H-128_A-2_index_only/bert_model.ckpt');

describe('realm checkpoint ls', () => {
  test.skipIf(!mkl.present)('prints an aligned name/dtype/shape table', () => {
    const result = runCli(['checkpoint', 'ls', mkl.prefix]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        'name             dtype    shape',
        'a                float32  []',
        'b                float32  []',
        'c                float32  []',
        'conv2d/bias      float32  [1]',
        'conv2d/kernel    float32  [1, 1, 1, 1]',
        'conv2d_1/bias    float32  [1]',
        'conv2d_1/kernel  float32  [1, 1, 1, 1]',
        'conv2d_2/bias    float32  [1]',
        'conv2d_2/kernel  float32  [1, 1, 1, 1]',
        '',
      ].join('\n'),
    );
  });

  test.skipIf(!halfPlusTwo.present)('--json prints an array of {name, dtype, shape}; the .index path works as prefix', () => {
    const expected = '[{"name":"a","dtype":"float32","shape":[]},{"name":"b","dtype":"float32","shape":[]},{"name":"c","dtype":"float32","shape":[]}]\n';
    expect(runCli(['checkpoint', 'ls', `${halfPlusTwo.prefix}.index`, '--json']).stdout).toBe(expected);
  });

  test.skipIf(!indexOnly.present)('an index-only checkpoint lists all 46 tensors', () => {
    const listed = JSON.parse(runCli(['checkpoint', 'ls', indexOnly.prefix, '--json']).stdout) as { name: string; shape: number[] }[];
    expect(listed).toHaveLength(46);
    expect(listed[4]).toEqual({ name: 'bert/embeddings/word_embeddings', dtype: 'float32', shape: [30522, 128] });
  });

  test('a missing prefix fails naming the file tried', () => {
    const missing = join('/nonexistent', 'model.ckpt');
    const result = runCli(['checkpoint', 'ls', missing]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`realm: no checkpoint at ${missing}: tried ${missing}.index (none exists)\n`);
  });
});

describe('realm checkpoint get', () => {
  test.skipIf(!bert.present)('prints the tensor header and one row per last-axis row, floats in shortest float32 form', () => {
    const result = runCli(['checkpoint', 'get', bert.prefix, 'bert/embeddings/token_type_embeddings']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      'bert/embeddings/token_type_embeddings float32 [2, 4]\n' +
        '-0.015999721 0.02432076 -0.0156045975 -0.012284793\n' +
        '0.022795193 0.00851453 -0.013970502 0.0018207342\n',
    );
    // Same float32 values as the MANIFEST's 9-digit decimals.
    const manifest = [-0.0159997214, 0.0243207607, -0.0156045975, -0.012284793, 0.0227951929, 0.00851453003, -0.0139705017, 0.00182073424];
    const printed = result.stdout.split('\n').slice(1, 3).join(' ').split(' ').map(Number);
    expect(printed.map(Math.fround)).toEqual(manifest.map(Math.fround));
  });

  test.skipIf(!bert.present)('--json: flat values beside shape; int64 as a decimal string', () => {
    expect(runCli(['checkpoint', 'get', bert.prefix, 'global_step', '--json']).stdout).toBe('{"name":"global_step","dtype":"int64","shape":[],"values":["20"]}\n');
  });

  test.skipIf(!tf2.present)('a non-UTF-8 DT_STRING comes out as base64 with "encoding"', () => {
    const out = JSON.parse(runCli(['checkpoint', 'get', tf2.prefix, '_CHECKPOINTABLE_OBJECT_GRAPH', '--json']).stdout) as { encoding: string; values: string[] };
    expect(out.encoding).toBe('base64');
    expect(Buffer.from(out.values[0], 'base64').length).toBe(613);
  });

  test.skipIf(!indexOnly.present)('loading from an index-only checkpoint names the missing data file', () => {
    const result = runCli(['checkpoint', 'get', indexOnly.prefix, 'bert/pooler/dense/bias']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `realm: cannot load "bert/pooler/dense/bias": data shard ${indexOnly.prefix}.data-00000-of-00001 does not exist (the checkpoint ${indexOnly.prefix} has an index but not this data file)\n`,
    );
  });

  test('--help describes both subcommands', () => {
    const result = runCli(['checkpoint', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/ls \[options\] <prefix>/);
    expect(result.stdout).toMatch(/get \[options\] <prefix> <name>/);
  });
});
