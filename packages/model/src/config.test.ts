import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { isBetterExport, REALM_TRAIN_PRESETS, RealmTrainConfigSchema, resolveWarmupSteps } from './config.js';

describe('RealmTrainConfigSchema', () => {
  test('defaults are the paper/launcher numbers of realm-spec §2.9 and §9.2', () => {
    const config = RealmTrainConfigSchema.parse({});
    expect(config).toMatchObject({
      querySeqLen: 96,
      candidateSeqLen: 288,
      numCandidates: 8,
      maxMasks: 10,
      learningRate: 3e-5,
      batchSize: 512,
      numTrainSteps: 200_000,
      numWarmupSteps: null,
      weightDecayRate: 0.01,
      adamBeta1: 0.9,
      adamBeta2: 0.999,
      adamEpsilon: 1e-6,
      excludeFromWeightDecay: ['LayerNorm', 'layer_norm', 'bias'],
      clipNorm: 1,
      shareEmbedders: true,
      lossForm: 'per_token',
      bestExportMetric: 'retrieval_utility',
    });
    expect(resolveWarmupSteps(config)).toBe(10_000);
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('the launcher preset gives the local run (100 warmup steps)', () => {
    const config = RealmTrainConfigSchema.parse(REALM_TRAIN_PRESETS.launcher);
    expect(config.batchSize).toBe(4);
    expect(config.numTrainSteps).toBe(1000);
    expect(resolveWarmupSteps(config)).toBe(100);
    expect(resolveWarmupSteps({ ...config, numWarmupSteps: 7 })).toBe(7);
  });

  test('every field is described, and misspelled or invalid keys fail', () => {
    const shape = RealmTrainConfigSchema.unwrap().shape;
    for (const [key, field] of Object.entries(shape)) {
      expect(field.description, key).toBeTruthy();
    }
    const misspelled = RealmTrainConfigSchema.safeParse({ learning_rate: 1e-4 });
    expect(misspelled.success).toBe(false);
    expect(z.prettifyError(misspelled.error!)).toContain('Unrecognized key: "learning_rate"');
    const invalid = RealmTrainConfigSchema.safeParse({ lossForm: 'per_sentence' });
    expect(invalid.success).toBe(false);
    expect(invalid.error!.issues[0].path).toEqual(['lossForm']);
  });
});

describe('isBetterExport', () => {
  test('retrieval_utility and accuracy are higher-is-better, loss lower-is-better; NaN never wins', () => {
    expect(isBetterExport('retrieval_utility', null, -1)).toBe(true);
    expect(isBetterExport('retrieval_utility', 0.5, 0.6)).toBe(true);
    expect(isBetterExport('retrieval_utility', 0.5, 0.5)).toBe(false);
    expect(isBetterExport('loss', 2, 1.5)).toBe(true);
    expect(isBetterExport('loss', 2, 2.5)).toBe(false);
    expect(isBetterExport('accuracy_with_retrieval', null, NaN)).toBe(false);
  });
});
