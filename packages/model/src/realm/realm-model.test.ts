import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { createBertModel, disposeBertModel } from '@realm/bert';
import { createRng } from '@realm/tokenizer';
import { tinyRealmConfig } from '../../test/tiny-realm.js';
import { createRealmModel, disposeRealmModel, parseRealmModelConfig, REALM_VARIABLE_PREFIXES, realmVariables, RealmModelConfigSchema } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('RealmModelConfigSchema', () => {
  test('defaults are the paper/launcher values', () => {
    const config = RealmModelConfigSchema.parse({});
    expect(config).toMatchObject({ shareEmbedders: true, numCandidates: 8, querySeqLen: 96, candidateSeqLen: 288, maxMasks: 10 });
    expect(config.projection).toEqual({ size: 128, layerNormEpsilon: 1e-3, dropoutProb: 0.1 });
    expect(config.embedder.hidden_size).toBe(768);
  });

  test('rejects joint inputs longer than the reader positions, naming the field', () => {
    expect(() => parseRealmModelConfig(tinyRealmConfig({ querySeqLen: 10 }), 'run.json')).toThrow(
      /run\.json: invalid REALM model config[\s\S]*querySeqLen \+ candidateSeqLen = 17 positions but max_position_embeddings is 16[\s\S]*reader\.max_position_embeddings/,
    );
    expect(() => parseRealmModelConfig({ ...tinyRealmConfig(), numCandidate: 8 })).toThrow(/numCandidate/);
  });
});

describe('createRealmModel', () => {
  test('shared embedders: one embedder object, prefixed unique variable names, all freed by dispose', () => {
    const before = tf.memory().numTensors;
    const model = createRealmModel(tinyRealmConfig(), createRng(1));
    expect(model.documentEmbedder).toBe(model.queryEmbedder);
    expect(model.queryEmbedder.heads.projection?.size).toBe(6);
    expect(model.reader.heads).toMatchObject({ pooler: false, maskedLm: true });
    const names = [...realmVariables(model).keys()];
    expect(names.length).toBe(model.queryEmbedder.variables.size + model.reader.variables.size);
    expect(names).toContain('embedder/projection/dense/kernel');
    expect(names).toContain('reader/cls/predictions/output_bias');
    expect(names.some((n) => n.startsWith(REALM_VARIABLE_PREFIXES.documentEmbedder))).toBe(false);
    disposeRealmModel(model);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('separate embedders get their own variables under doc_embedder/', () => {
    const model = createRealmModel(tinyRealmConfig({ shareEmbedders: false }), createRng(1));
    expect(model.documentEmbedder).not.toBe(model.queryEmbedder);
    const variables = realmVariables(model);
    expect(variables.get('doc_embedder/projection/dense/kernel')).toBe(model.documentEmbedder.variables.get('projection/dense/kernel'));
    expect(variables.get('embedder/projection/dense/kernel')).toBe(model.queryEmbedder.variables.get('projection/dense/kernel'));
    disposeRealmModel(model);
  });

  test('adopts a given embedder and refuses one whose config disagrees', () => {
    const config = tinyRealmConfig();
    const rng = createRng(2);
    const embedder = createBertModel(parseRealmModelConfig(config).embedder, { rng, heads: { projection: { size: 6 } } });
    const model = createRealmModel(config, rng, { embedder });
    expect(model.queryEmbedder).toBe(embedder);
    disposeRealmModel(model);
    const wrong = createBertModel({ ...embedder.config, hidden_size: 8 }, { rng, heads: { projection: { size: 6 } } });
    expect(() => createRealmModel(config, rng, { embedder: wrong })).toThrow('createRealmModel: the given embedder has hidden_size = 8, the REALM config says 16');
    disposeBertModel(wrong);
  });
});
