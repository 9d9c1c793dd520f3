import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, test } from 'vitest';
import { fixture } from '@realm/testing';
import { BERT_PRESETS, BertConfigSchema, attentionHeadSize, bertConfigToJson, parseBertConfig, readBertConfig } from './config.js';
import { activation, geluErf, geluTanh } from './layers.js';

const keras = fixture('tf_checkpoints/keras_bert_tiny/bert_config.json');
const google = fixture('tf_checkpoints/google_bert_tiny_uncased_L-2_H-128_A-2_index_only/bert_config.json');

describe('BertConfigSchema', () => {
  test('defaults are BERT-base', () => {
    expect(BertConfigSchema.parse({})).toEqual({
      vocab_size: 30522, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072,
      hidden_act: 'gelu', hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1, max_position_embeddings: 512,
      type_vocab_size: 2, initializer_range: 0.02,
    });
  });

  test.skipIf(!keras.present)('keras-bert config (with pooler_* and directionality keys) round-trips byte-identically', async () => {
    const config = await readBertConfig(keras.path);
    expect(config.hidden_size).toBe(4);
    expect(config.pooler_type).toBe('first_token_transform');
    expect(bertConfigToJson(config)).toBe(readFileSync(keras.path, 'utf8'));
  });

  test.skipIf(!google.present)("Google's BERT-Tiny config reads and equals the tiny preset", async () => {
    const config = await readBertConfig(google.path);
    expect(config).toEqual(BERT_PRESETS.tiny);
    expect(JSON.parse(bertConfigToJson(config))).toEqual(JSON.parse(readFileSync(google.path, 'utf8')));
  });

  test('a misspelled key and a bad head count fail with the field named', () => {
    expect(() => parseBertConfig({ hiden_size: 64 }, 'x.json')).toThrow(/x\.json: invalid BERT config[\s\S]*hiden_size/);
    expect(() => parseBertConfig({ hidden_size: 30, num_attention_heads: 4 }, 'y.json')).toThrow(/hidden_size must be a multiple of num_attention_heads[\s\S]*num_attention_heads/);
    expect(() => parseBertConfig({ hidden_act: 'swish' })).toThrow(/hidden_act/);
  });

  test('presets have the published sizes', () => {
    const sizes = Object.fromEntries(Object.entries(BERT_PRESETS).map(([k, c]) => [k, [c.num_hidden_layers, c.hidden_size, c.num_attention_heads, c.intermediate_size, c.vocab_size]]));
    expect(sizes).toEqual({
      test: [2, 32, 4, 37, 99], tiny: [2, 128, 2, 512, 30522], mini: [4, 256, 4, 1024, 30522],
      small: [4, 512, 8, 2048, 30522], base: [12, 768, 12, 3072, 30522],
    });
    expect(attentionHeadSize(BERT_PRESETS.base)).toBe(64);
  });
});

describe('activations', () => {
  const at = (f: (x: tf.Tensor) => tf.Tensor, x: number[]): number[] => Array.from(tf.tidy(() => f(tf.tensor1d(x))).dataSync());

  test('gelu is x·Φ(x) (erf form); gelu_tanh / gelu_new the tanh approximation', () => {
    // Φ(1) = 0.841344746…, Φ(−2) = 0.022750131…
    const erf = at(geluErf, [1, -2, 0]);
    expect(erf[0]).toBeCloseTo(0.8413447460685429, 6);
    expect(erf[1]).toBeCloseTo(-2 * 0.022750131948179195, 6);
    expect(erf[2]).toBe(0);
    const tanhForm = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    const approx = at(geluTanh, [1, -2]);
    expect(approx[0]).toBeCloseTo(tanhForm(1), 6);
    expect(approx[1]).toBeCloseTo(tanhForm(-2), 6);
    // The two forms differ measurably at −2 (≈ 1e-4), so choosing the wrong one shows up.
    expect(Math.abs(approx[1] - erf[1])).toBeGreaterThan(5e-5);
    expect(at(activation('gelu_new'), [-2])).toEqual(approx.slice(1));
    expect(at(activation('relu'), [-2, 3])).toEqual([0, 3]);
  });
});
