// The programs in-process on a tiny run: bootstrap → refresher → generator → a trainer-side client,
// then a newer export that the refresher publishes and the generator switches to.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { decodeExample, realmExampleFromTfExample, type RealmExample } from '@realm/data';
import { loadBlockEmb } from '@realm/mips';
import {
  embedCorpus,
  encodedCheckpointPrefix,
  ExampleClient,
  loadExportEmbedders,
  parseShard,
  initialExportDir,
  listTimestamps,
  loadInitialModel,
  loadRetrievalCorpus,
  loadTokenizer,
  publishExport,
  readGlobalStep,
  runBootstrap,
  runGenerator,
  runRefresher,
  type PretrainConfig,
  type RunLayout,
} from '../src/index.js';
import { quietContext, tinyRun, useBackend } from './helpers.js';

let layout: RunLayout;
let config: PretrainConfig;

beforeAll(async () => {
  await useBackend();
  ({ layout, config } = await tinyRun());
  expect(await runBootstrap(layout, config, quietContext('bootstrap'))).toBe(true);
}, 120_000);

async function pull(address: string, count: number): Promise<RealmExample[]> {
  const client = new ExampleClient(address);
  const got: Uint8Array[] = [];
  const deadline = Date.now() + 60_000;
  while (got.length < count && Date.now() < deadline) got.push(...(await client.getExamples(count - got.length, 500)).examples);
  client.close();
  return got.map((bytes) => realmExampleFromTfExample(decodeExample(bytes), config.dims));
}

describe('pre-training programs on a tiny run', () => {
  test('bootstrap writes export/initial and a first tf_hub export at step 0, and is idempotent', async () => {
    expect(existsSync(join(initialExportDir(layout), 'bert', 'config.json'))).toBe(true);
    expect(existsSync(join(initialExportDir(layout), 'embedder', 'config.json'))).toBe(true);
    const exports = await listTimestamps(layout.tfHub);
    expect(exports).toHaveLength(1);
    expect(await readGlobalStep(join(layout.tfHub, String(exports[0])))).toBe(0);
    expect(JSON.parse(await readFile(join(layout.tfHub, String(exports[0]), 'config.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(config)));
    expect(await runBootstrap(layout, config, quietContext('bootstrap'))).toBe(false);
  });

  test('refresher --once publishes encoded/<ts> with one block_emb row per corpus block', async () => {
    const records = await runRefresher(layout, config, { once: true }, quietContext('refresher'));
    const [ts] = await listTimestamps(layout.tfHub);
    expect(records.map((r) => r.timestamp)).toEqual([ts]);
    const blocks = await loadRetrievalCorpus(layout.retrievalShards);
    const emb = await loadBlockEmb(encodedCheckpointPrefix(join(layout.encoded, String(ts))));
    expect([emb.rows, emb.dim]).toEqual([blocks.length, config.model.projection.size]);
    expect(existsSync(join(layout.encoded, String(ts), 'bert', 'config.json'))).toBe(true);
    // A second --once has nothing newer to do.
    expect(await runRefresher(layout, config, { once: true }, quietContext('refresher'))).toEqual([]);
  });

  test('the generator serves featurized examples retrieved from the published index, and switches to a newer one', async () => {
    const blocks = await loadRetrievalCorpus(layout.retrievalShards);
    const tokenizer = await loadTokenizer(layout);
    const special = tokenizer.vocab.specialTokenIds();
    const [firstIndex] = await listTimestamps(layout.encoded);
    const controller = new AbortController();
    let address = '';
    const listening = new Promise<void>((resolve) => {
      void runGenerator(layout, config, { mode: 'eval', port: 0, onListening: (a) => { address = a; resolve(); } }, quietContext('gen-eval', controller.signal)).then(
        (stats) => generatorStats.push(stats),
      );
    });
    const generatorStats: Array<{ indexReloads: number }> = [];
    await listening;
    const first = await pull(address, 3);
    const { querySeqLen: Q, candidateSeqLen: C, numCandidates: K } = config.dims;
    for (const example of first) {
      expect(example.exportTimestamp).toBe(firstIndex);
      // Candidate 0 is the null document: [CLS] [SEP] [SEP] then padding.
      expect(Array.from(example.candidateInputs.tokenIds.subarray(0, 4))).toEqual([special.cls, special.sep, special.sep, 0]);
      // Every real mask position holds [MASK] in the query, and the target is a real word piece.
      for (let j = 0; j < config.dims.maxMasks; j++) {
        if (example.mlmMask[j] === 1) {
          expect(example.queryInputs.tokenIds[example.mlmPositions[j]]).toBe(special.mask);
          expect(example.mlmTargets[j]).not.toBe(special.mask);
        }
      }
      // Candidates 1..K-1 are K-1 distinct corpus blocks: find each by its packed title+body.
      const keys = new Set<string>();
      for (let k = 1; k < K; k++) {
        const row = Array.from(example.candidateInputs.tokenIds.subarray(k * C, (k + 1) * C));
        const match = blocks.findIndex((b) => row.slice(1, 1 + b.titleIds.length).join() === b.titleIds.join() && row.slice(2 + b.titleIds.length, 2 + b.titleIds.length + b.bodyIds.length).join() === b.bodyIds.join());
        expect(match).toBeGreaterThanOrEqual(0);
        keys.add(String(match));
      }
      expect(keys.size).toBe(K - 1);
      // The joint input of candidate 0 is the query alone: [CLS] query [SEP] [SEP].
      expect(example.jointInputs.tokenIds[0]).toBe(special.cls);
      expect(Array.from(example.jointInputs.tokenIds.subarray(1, Q))).toContain(special.mask);
    }

    // The trainer exports at step 7; the refresher publishes it; the generator picks it up.
    const trainer = await loadInitialModel(layout, config);
    const newTs = await publishExport(layout.tfHub, trainer.model, 7, config, 5);
    trainer.dispose();
    await runRefresher(layout, config, { once: true }, quietContext('refresher'));
    expect(await listTimestamps(layout.encoded)).toEqual([firstIndex, newTs]);
    let switched: RealmExample[] = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !switched.some((e) => e.exportTimestamp === newTs)) switched = await pull(address, 4);
    expect(switched.some((e) => e.exportTimestamp === newTs)).toBe(true);
    controller.abort();
    await new Promise((r) => setTimeout(r, 200));
    expect(generatorStats[0]?.indexReloads).toBe(1);
  }, 120_000);

  test('exports and indexes only ever appear complete', async () => {
    const trainer = await loadInitialModel(layout, config);
    const seen: string[] = [];
    let publishing = true;
    const watcher = (async () => {
      while (publishing) {
        for (const ts of await listTimestamps(layout.tfHub)) {
          const dir = join(layout.tfHub, String(ts));
          const entries = (await readdir(dir)).sort();
          seen.push(`${ts}:${entries.join(',')}`);
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 0; i < 3; i++) await publishExport(layout.tfHub, trainer.model, 10 + i, config, 10);
    publishing = false;
    await watcher;
    trainer.dispose();
    expect(seen.length).toBeGreaterThan(0);
    for (const entry of seen) expect(entry).toMatch(/^\d+:bert,config\.json,embedder,global_step\.txt$/);
  });

  test('two refresher shards together publish the same index one refresher would', async () => {
    const trainer = await loadInitialModel(layout, config);
    const ts = await publishExport(layout.tfHub, trainer.model, 30, config, 10);
    trainer.dispose();
    const [zero, one] = await Promise.all([
      runRefresher(layout, config, { once: true, shard: parseShard('0/2') }, quietContext('refresher-0')),
      runRefresher(layout, config, { once: true, shard: parseShard('1/2') }, quietContext('refresher-1')),
    ]);
    expect(zero.map((r) => r.timestamp)).toEqual([ts]);
    expect(one).toEqual([]);
    expect(existsSync(join(layout.root, 'export', 'encoded_parts', String(ts)))).toBe(false);
    const sharded = await loadBlockEmb(encodedCheckpointPrefix(join(layout.encoded, String(ts))));
    const embedders = await loadExportEmbedders(join(layout.tfHub, String(ts)));
    const tokenizer = await loadTokenizer(layout);
    const whole = await embedCorpus(embedders.documentEmbedder, await loadRetrievalCorpus(layout.retrievalShards), tokenizer.vocab.specialTokenIds(), {
      seqLen: config.dims.candidateSeqLen,
      batchSize: config.refresher.batchSize,
    });
    embedders.dispose();
    expect(sharded.vectors.length).toBe(whole.length);
    let maxDiff = 0;
    for (let i = 0; i < whole.length; i++) maxDiff = Math.max(maxDiff, Math.abs(whole[i] - sharded.vectors[i]));
    expect(maxDiff).toBeLessThan(1e-5);
  }, 120_000);

  test('--shard must be i/n with i < n', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    expect(() => parseShard('3/3')).toThrow("--shard must be i/n with 0 ≤ i < n, got '3/3'");
    expect(() => parseShard('x')).toThrow("--shard must be i/n with 0 ≤ i < n, got 'x'");
  });
});
