// `realm pretrain ...` through the real binary: the whole loop at a tiny scale (`all --json`), the
// launcher's layout and logs, and flag errors.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { CheckpointReader } from '@realm/data';
import { fixture } from '@realm/testing';
import { runCli } from './run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'realm-pretrain-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TINY = [
  '--world.scale=0.05',
  '--model.embedder.hidden_size=16', '--model.embedder.num_hidden_layers=1', '--model.embedder.intermediate_size=32',
  '--model.reader.hidden_size=16', '--model.reader.num_hidden_layers=1', '--model.reader.intermediate_size=32',
  '--ict.maxSeconds=0.5', '--ict.batchSize=4',
  '--train.batchSize=4', '--train.evalBatchSize=4', '--train.numEvalSteps=1',
  '--train.saveCheckpointsSteps=2', '--train.evalEverySteps=2', '--train.indexRefreshEverySteps=2',
  '--generator.trainPort=0', '--generator.evalPort=0', '--refresher.pollMs=200',
];

test('pretrain all --json runs bootstrap, refresher, generators and trainer and ends with the summary line', () => {
  const out = join(root, 'run');
  const result = runCli(['pretrain', 'all', '--out', out, '--json', '--steps', '6', ...TINY]);
  expect(result.status, result.stderr).toBe(0);
  const lines = result.stdout.trimEnd().split('\n');
  const summary = JSON.parse(lines[lines.length - 1]) as Record<string, number | null>;
  expect(Object.keys(summary)).toEqual(['steps', 'index_refreshes', 'retrieval_utility', 'heldout_accuracy_retrieval', 'heldout_accuracy_null', 'wall_seconds']);
  expect(summary.steps).toBe(6);
  // Exports at steps 2 and 4 and the final one at 6; each is re-embedded unless a newer one overtook it.
  expect(summary.index_refreshes).toBeGreaterThanOrEqual(1);
  expect(summary.index_refreshes).toBeLessThanOrEqual(3);
  expect(summary.heldout_accuracy_retrieval).toBeGreaterThanOrEqual(0);
  expect(summary.heldout_accuracy_retrieval).toBeLessThanOrEqual(1);
  expect(summary.wall_seconds).toBeGreaterThan(0);
  // One log per program, the saved config, and the published artifacts.
  expect(readdirSync(join(out, 'log')).filter((f) => f.endsWith('.log')).sort()).toEqual(['bootstrap.log', 'gen-eval.log', 'gen-train.log', 'refresher.log', 'trainer.log']);
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { run: { steps: number }; model: { reader: { hidden_size: number } } };
  expect(config.run.steps).toBe(6);
  expect(config.model.reader.hidden_size).toBe(16);
  expect(existsSync(join(out, 'TRAINING_DONE'))).toBe(true);
  expect(readdirSync(join(out, 'export', 'encoded')).length).toBeGreaterThanOrEqual(1);
  expect(readFileSync(join(out, 'log', 'trainer.log'), 'utf8')).toContain('finished at step 6');
}, 300_000);

test('a bad config override fails with the field named, before anything starts', () => {
  const result = runCli(['pretrain', 'all', '--out', join(root, 'bad'), '--train.batchSize=-1']);
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/^realm: pretrain config: .*\n.*train\.batchSize/s);
});

test('an argument that is not an override is refused', () => {
  const result = runCli(['pretrain', 'all', '--out', join(root, 'bad2'), 'stray']);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain("realm: pretrain: unexpected argument 'stray' (config overrides look like --train.batchSize=16)");
});

test('generator rejects an unknown mode', () => {
  const result = runCli(['pretrain', 'generator', '--out', root, '--mode', 'dev', '--port', '0']);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain("realm: --mode must be train or eval, got 'dev'");
});

const kerasBert = fixture('tf_checkpoints/keras_bert_tiny');
const wikipedia = fixture('corpus/wikipedia_abstracts_sample_500.jsonl');

/** Every variable of the TF checkpoint `prefix` whose name starts with `scope`, by name. */
async function checkpointValues(prefix: string, names: readonly string[]): Promise<Map<string, number[]>> {
  const reader = await CheckpointReader.open(prefix);
  try {
    const values = new Map<string, number[]>();
    for (const name of names) values.set(name, Array.from(await reader.readFloat32(name)));
    return values;
  } finally {
    await reader.close();
  }
}

// keras_bert_tiny has 16 positions: [CLS] query [SEP] (6) + document [SEP] (10).
const KERAS_TINY = [
  '--dims.querySeqLen=6', '--dims.candidateSeqLen=10', '--dims.numCandidates=2', '--dims.maxMasks=2',
  '--ict.maxSeconds=1', '--ict.batchSize=4', '--run.maxSeconds=null', '--run.finalEvalSteps=1',
  '--train.batchSize=4', '--train.evalBatchSize=4', '--train.numEvalSteps=1',
  '--train.saveCheckpointsSteps=2', '--train.evalEverySteps=2', '--train.indexRefreshEverySteps=2',
  '--generator.trainPort=0', '--generator.evalPort=0', '--refresher.pollMs=200',
];

test.skipIf(!kerasBert.present || !wikipedia.present)(
  'pre-trains from the keras_bert_tiny TF checkpoint on shards `realm corpus build` made from Wikipedia abstracts',
  async () => {
    const corpus = join(root, 'wiki-corpus');
    const vocab = join(kerasBert.path, 'vocab.txt');
    const built = runCli(['corpus', 'build', '--input', wikipedia.path, '--vocab', vocab, '--shards', '3', '--out', corpus]);
    expect(built.status, built.stderr).toBe(0);
    const stats = JSON.parse(built.stdout.trim()) as { blocks: number };

    // REALM's default holds out 5 shards; 3 leave none to train on.
    const tooFew = runCli(['pretrain', 'prepare', '--out', join(root, 'wiki-too-few'), `--data.corpus=${corpus}`]);
    expect(tooFew.status).toBe(1);
    expect(tooFew.stderr).toContain(`data.heldoutShards = 5 but ${corpus} has 3 pre-training shard(s): training needs at least one more`);

    const out = join(root, 'wiki-run');
    const result = runCli(['pretrain', 'all', '--out', out, '--json', '--steps', '4', `--data.corpus=${corpus}`, '--data.heldoutShards=1', `--init.bert=${kerasBert.path}`, ...KERAS_TINY]);
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]) as Record<string, number>;
    expect(summary.steps).toBe(4);
    expect(summary.index_refreshes).toBeGreaterThanOrEqual(1);
    expect(Number.isFinite(summary.retrieval_utility)).toBe(true);

    // The run's model is the checkpoint's: its bert_config.json replaced the recipe's sizes.
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { model: { reader: Record<string, unknown>; embedder: Record<string, unknown> }; data: { corpus: string } };
    expect(config.data.corpus).toBe(corpus);
    for (const encoder of [config.model.reader, config.model.embedder]) {
      expect(encoder).toMatchObject({ vocab_size: 15, hidden_size: 4, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 16, max_position_embeddings: 16 });
    }
    // REALM's split: the first sorted pre-training shard is held out, the other two train; every block is one pre-training record here.
    expect(readdirSync(join(out, 'data', 'pretrain')).sort()).toEqual([
      'heldout.tfrecord.gz-00000-of-00001', 'train.tfrecord.gz-00000-of-00002', 'train.tfrecord.gz-00001-of-00002',
    ]);
    expect(result.stderr).toMatch(new RegExp(`data: ${stats.blocks} retrieval blocks, \\d+ training / \\d+ held-out sentences, vocab 15`));

    // The reader starts as the checkpoint's BERT, MLM head included, and training moved it.
    const names = ['bert/embeddings/word_embeddings', 'bert/encoder/layer_1/attention/self/query/kernel', 'bert/encoder/layer_0/output/LayerNorm/gamma', 'cls/predictions/output_bias'];
    const source = await checkpointValues(join(kerasBert.path, 'bert_model.ckpt'), names);
    const initial = await checkpointValues(join(out, 'export', 'initial', 'bert', 'bert_model.ckpt'), names);
    for (const name of names) expect(initial.get(name), name).toEqual(source.get(name));
    const exports = readdirSync(join(out, 'export', 'tf_hub')).map(Number).sort((a, b) => a - b);
    const trained = await checkpointValues(join(out, 'export', 'tf_hub', String(exports[exports.length - 1]), 'bert', 'bert_model.ckpt'), names);
    expect(trained.get(names[1])).not.toEqual(source.get(names[1]));
    expect(readFileSync(join(out, 'log', 'bootstrap.log'), 'utf8')).toContain('init: embedder ← ');
  },
  300_000,
);

test.skipIf(!kerasBert.present)('a BERT checkpoint whose vocab does not match the corpus is refused, naming both files', () => {
  const result = runCli(['pretrain', 'prepare', '--out', join(root, 'mismatch'), '--world.scale=0.05', `--init.bert=${kerasBert.path}`, '--dims.querySeqLen=6', '--dims.candidateSeqLen=10']);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(`init.bert: ${join(kerasBert.path, 'bert_config.json')} has vocab_size 15 but the run's vocabulary ${join(root, 'mismatch', 'data', 'vocab.txt')} has`);
  expect(existsSync(join(root, 'mismatch', 'config.json'))).toBe(false);
});

test('data.corpus must be a `realm corpus build` output', () => {
  const result = runCli(['pretrain', 'prepare', '--out', join(root, 'nocorpus'), `--data.corpus=${join(root, 'missing')}`]);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(`data.corpus: cannot read ${join(root, 'missing', 'corpus.json')}`);
});
