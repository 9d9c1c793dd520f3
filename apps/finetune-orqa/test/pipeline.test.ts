// The whole pipeline on a tiny world with tiny BERTs: prepare a run (world, corpus, vocab), fine-tune
// from scratch (--init none) with a dev evaluation and best checkpoint, test; then `eval`'s path and
// `realm qa score` agree on the predictions file; then index add / remove publish new KB versions
// whose rows line up with their embeddings, and `ask` reads the grown knowledge base.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBertModel, disposeBertModel } from '@realm/bert';
import { evaluatePredictionFiles } from '@realm/data';
import { disposeOrqaModel, readOrqaModelFile } from '@realm/model';
import { prepareRun, programContext } from '@realm/pretrain';
import { beforeAll, describe, expect, test } from 'vitest';
import { askQuestion, highlightSpan } from '../src/ask.js';
import { setupOrqaBackend } from '../src/backend.js';
import { worldQaSplit } from '../src/datasets.js';
import { addDocuments, removeDocuments } from '../src/index-update.js';
import { readKnowledgeBase } from '../src/knowledge-base.js';
import { embedBlocks, loadQaSystem } from '../src/model-io.js';
import { runEvaluation } from '../src/run-eval.js';
import { runFinetune, type FinetuneResult } from '../src/train.js';

const root = mkdtempSync(join(tmpdir(), 'orqa-pipeline-'));
const runDir = join(root, 'run');
const out = join(root, 'ft');
const quiet = programContext('test', { signal: new AbortController().signal, log: () => {} });
const TINY_BERT = { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 128 };
let result: FinetuneResult;

beforeAll(async () => {
  await setupOrqaBackend('auto', quiet);
  await prepareRun(
    runDir,
    [
      'world.numPeople=12', 'world.numPlaces=3', 'world.numOrganisations=2', 'world.numCountries=2',
      `model.embedder=${JSON.stringify(TINY_BERT)}`, `model.reader=${JSON.stringify(TINY_BERT)}`, 'model.projection.size=8',
    ],
    quiet,
  );
  result = await runFinetune(
    {
      init: 'none',
      data: runDir,
      out,
      overrides: ['orqa.numTrainSteps=4', 'orqa.batchSize=2', 'orqa.spanHiddenSize=8', 'orqa.numWarmupSteps=1', 'run.evalEverySteps=2', 'run.maxDevQuestions=6', 'orqa.learningRate=1e-3'],
    },
    quiet,
  );
}, 120_000);

describe('finetune-orqa pipeline', () => {
  test('train reports exactly the four result keys and keeps a best checkpoint with its config', async () => {
    expect(Object.keys(result).sort()).toEqual(['dev_exact_match', 'test_exact_match', 'test_recall_at_5', 'wall_seconds']);
    for (const value of Object.values(result)) expect(Number.isFinite(value)).toBe(true);
    const file = await readOrqaModelFile(join(out, 'best'));
    expect(file.globalStep === 2 || file.globalStep === 4).toBe(true);
    expect(file.config.numTrainSteps).toBe(4);
    expect((file.extra as { step: number }).step).toBe(file.globalStep);
    // retrieverBeamSize is clamped to the corpus, so the saved config says what training used.
    const kb = await readKnowledgeBase(out);
    expect(file.config.retrieverBeamSize).toBe(Math.min(100, kb.blocks.length));
  });

  test('test predictions score the same in our evaluation and in `realm qa score`', async () => {
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    const test = worldQaSplit(config.world, 'test');
    const gold = join(root, 'test-gold.jsonl');
    writeFileSync(gold, test.map((q) => JSON.stringify({ question: q.question, answer: q.answers })).join('\n') + '\n');
    const lines = readFileSync(join(out, 'predictions', 'test.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(test.length);
    const report = await evaluatePredictionFiles(gold, join(out, 'predictions', 'test.jsonl'));
    expect(report.result.num_correct / report.result.num_total).toBeCloseTo(result.test_exact_match, 10);
    // Every prediction's span is the predicted text inside its block.
    for (const line of lines) {
      const p = JSON.parse(line);
      expect(p.block_text.slice(p.answer_start, p.answer_end).split(/\s+/).join(' ').length).toBeGreaterThan(0);
    }
    // `finetune-orqa eval --dataset world` over the same split gives the same summary.
    const summary = await runEvaluation({ dataset: 'world', model: out, out: join(root, 'eval.jsonl'), split: 'test' });
    expect(summary.officialExactMatch).toBeCloseTo(result.test_exact_match, 10);
    expect(summary.recall[5]).toBeCloseTo(result.test_recall_at_5, 10);
  });

  test('index add publishes a new version whose new row is the embedder\'s embedding; remove restores the rows', async () => {
    const before = await readKnowledgeBase(out);
    const docs = [{ title: 'Zed Novel', text: 'Zed Novel was born in 1901. He worked as a baker.', source: 'test:1' }];
    const added = await addDocuments(out, docs);
    expect(added).toMatchObject({ added: 1, removed: 0, unchanged: 0, total: before.blocks.length + 1 });
    const after = await readKnowledgeBase(out);
    expect(after.dir).toBe(added.dir);
    expect(after.blocks.slice(0, -1)).toEqual(before.blocks);
    expect(after.blocks.at(-1)).toEqual({ title: 'Zed Novel', text: 'Zed Novel was born in 1901. He worked as a baker.' });
    const dim = after.manifest.dim;
    expect(after.vectors.subarray(0, before.vectors.length)).toEqual(before.vectors);
    const embedder = await loadBertModel(after.embedderDir);
    const expected = await embedBlocks(embedder, after.tokenizer, [after.blocks.at(-1)!], after.manifest.documentSeqLen);
    disposeBertModel(embedder);
    const row = after.vectors.subarray(before.blocks.length * dim);
    expect(Array.from(row).map((x) => x.toFixed(4))).toEqual(Array.from(expected).map((x) => x.toFixed(4)));
    // Adding the same document again changes nothing but still publishes a consistent version.
    expect(await addDocuments(out, docs)).toMatchObject({ added: 0, removed: 0, unchanged: 1 });

    // `ask` reads the grown knowledge base; its highlighted span is the answer's text.
    const system = await loadQaSystem(out);
    try {
      expect(system.index.size).toBe(before.blocks.length + 1);
      const answer = await askQuestion(system, 'In what year was Zed Novel born?');
      expect(answer.block_text.slice(answer.answer_start, answer.answer_end).length).toBeGreaterThan(0);
      expect(highlightSpan(answer.block_text, answer.answer_start, answer.answer_end, 'brackets')).toContain(`[[${answer.block_text.slice(answer.answer_start, answer.answer_end)}]]`);
    } finally {
      disposeOrqaModel(system.model);
    }

    const removed = await removeDocuments(out, ['Zed Novel']);
    expect(removed).toMatchObject({ removed: 1, total: before.blocks.length });
    const restored = await readKnowledgeBase(out);
    expect(restored.blocks).toEqual(before.blocks);
    expect(restored.vectors).toEqual(before.vectors);
    await expect(removeDocuments(out, ['No Such Title'])).rejects.toThrow(`index remove: no block of ${restored.dir} has the title or uid "No Such Title"`);
    expect(existsSync(join(out, 'kb'))).toBe(true);
  });
});

test('--refresh-index trains the document embedder, re-embeds the corpus and publishes the index with the best checkpoint', async () => {
  const refreshOut = join(root, 'ft-refresh');
  await runFinetune(
    {
      init: 'none',
      data: runDir,
      out: refreshOut,
      overrides: ['orqa.numTrainSteps=2', 'orqa.batchSize=2', 'orqa.spanHiddenSize=8', 'orqa.numWarmupSteps=0', 'run.evalEverySteps=2', 'run.maxDevQuestions=4', 'run.refreshIndex=true', 'run.refreshEverySteps=1', 'orqa.learningRate=1e-2'],
    },
    quiet,
  );
  const file = await readOrqaModelFile(join(refreshOut, 'best'));
  expect(file.config.trainDocumentEmbedder).toBe(true);
  expect(existsSync(join(refreshOut, 'best', 'doc_embedder'))).toBe(true);
  // The newest KB was embedded by the trained document embedder it carries, so re-embedding reproduces it.
  const kb = await readKnowledgeBase(refreshOut);
  expect(kb.manifest.source).toBe('refreshed at step 2');
  const embedder = await loadBertModel(kb.embedderDir);
  const again = await embedBlocks(embedder, kb.tokenizer, kb.blocks.slice(0, 3), kb.manifest.documentSeqLen);
  disposeBertModel(embedder);
  expect(Array.from(again).map((x) => x.toFixed(3))).toEqual(Array.from(kb.vectors.subarray(0, again.length)).map((x) => x.toFixed(3)));
  // And it differs from the initial (random-embedder) index: the document embedder was trained.
  const initial = await readKnowledgeBase(join(out, 'kb'));
  expect(Array.from(kb.vectors.subarray(0, 8))).not.toEqual(Array.from(initial.vectors.subarray(0, 8)));
}, 60_000);

test('highlightSpan marks [start, end) and rejects a span outside the text', () => {
  expect(highlightSpan('born in 1901.', 8, 12, 'brackets')).toBe('born in [[1901]].');
  expect(highlightSpan('born in 1901.', 8, 12, 'ansi')).toBe('born in \u001b[1m1901\u001b[22m.');
  expect(() => highlightSpan('abc', 2, 5, 'brackets')).toThrow('highlightSpan: [2, 5) is outside a text of 3 characters');
});
