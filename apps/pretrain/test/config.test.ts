import { describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPretrainConfig, MACHINE_RECIPE, mergeJson, parseOverride, readPretrainConfig } from '../src/config.js';

describe('config overrides', () => {
  test('a dotted override becomes a nested value; JSON values are parsed, others stay strings', () => {
    expect(parseOverride('train.batchSize=8')).toEqual({ train: { batchSize: 8 } });
    expect(parseOverride('--masking.strategy=random_span')).toEqual({ masking: { strategy: 'random_span' } });
    expect(parseOverride('model.shareEmbedders=false')).toEqual({ model: { shareEmbedders: false } });
  });

  test('bad override paths are rejected with the override named', () => {
    expect(() => parseOverride('batchSize')).toThrow("config override 'batchSize': expected key.path=value");
    expect(() => parseOverride('a..b=1')).toThrow("config override 'a..b=1': bad key path");
    expect(() => parseOverride('__proto__.x=1')).toThrow('bad key path');
  });

  test('mergeJson merges objects deeply and lets scalars replace', () => {
    expect(mergeJson({ a: { b: 1, c: 2 }, d: [1] }, { a: { c: 3 }, d: [2, 3] })).toEqual({ a: { b: 1, c: 3 }, d: [2, 3] });
  });

  test('the machine recipe parses, and dims and run.steps reach every schema that repeats them', () => {
    const config = buildPretrainConfig(['dims.querySeqLen=20', 'run.steps=42']);
    expect(config.dims.querySeqLen).toBe(20);
    expect(config.model.querySeqLen).toBe(20);
    expect(config.train.querySeqLen).toBe(20);
    expect(config.masking.querySeqLen).toBe(20);
    expect(config.train.numTrainSteps).toBe(42);
    expect(config.model.embedder.num_hidden_layers).toBe((MACHINE_RECIPE.model as { embedder: { num_hidden_layers: number } }).embedder.num_hidden_layers);
    // Paper defaults survive where the recipe says nothing.
    expect(config.train.clipNorm).toBe(1.0);
  });

  test('the machine recipe trains its embedders without dropout and keeps the ICT rate up until maxSeconds', () => {
    // With dropout a random-init embedder's scores are noise and ICT stays at chance (see ict.test.ts).
    const config = buildPretrainConfig();
    expect(config.ict.dropoutInTraining).toBe(false);
    expect(config.train.embedderDropoutInTraining).toBe(false);
    // The decay must not reach 0 before the time box ends (~10 ICT steps/s at most on this machine).
    expect(config.ict.numTrainSteps).toBeGreaterThan(10 * (config.ict.maxSeconds ?? 0));
    // `pretrain all` must end within the 10 minutes, whatever the machine's speed.
    expect(config.run.maxSeconds).toBeLessThan(600);
    expect(config.train.numTrainSteps).toBe(config.run.steps);
  });

  test('a dims copy set apart from dims is an error naming both fields', () => {
    expect(() => buildPretrainConfig(['model.maxMasks=3'])).toThrow('model.maxMasks = 3 disagrees with dims.maxMasks = 6; set dims.maxMasks instead');
  });

  test('schema errors name the field', () => {
    expect(() => buildPretrainConfig(['masking.strategy=whole_doc'])).toThrow(/masking\.strategy/);
    expect(() => buildPretrainConfig(['train.nope=1'])).toThrow(/nope/);
  });

  test('the reader warm start shares the dims; a config.json from before it existed reads as no warm start', async () => {
    expect(() => buildPretrainConfig(['readerMlm.maxMasks=3'])).toThrow('readerMlm.maxMasks = 3 disagrees with dims.maxMasks = 6; set dims.maxMasks instead');
    const dir = mkdtempSync(join(tmpdir(), 'realm-config-'));
    const { readerMlm: _dropped, ...old } = JSON.parse(JSON.stringify(buildPretrainConfig())) as Record<string, unknown>;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(old));
    const config = await readPretrainConfig(join(dir, 'config.json'));
    expect(config.readerMlm.numTrainSteps).toBe(0);
    expect([config.readerMlm.querySeqLen, config.readerMlm.candidateSeqLen, config.readerMlm.maxMasks]).toEqual([16, 64, 6]);
    writeFileSync(join(dir, 'bad.json'), '{"run": ');
    await expect(readPretrainConfig(join(dir, 'bad.json'))).rejects.toThrow(`pretrain config ${join(dir, 'bad.json')}: `);
    writeFileSync(join(dir, 'null.json'), 'null');
    await expect(readPretrainConfig(join(dir, 'null.json'))).rejects.toThrow(`pretrain config ${join(dir, 'null.json')}: expected a JSON object`);
  });
});
