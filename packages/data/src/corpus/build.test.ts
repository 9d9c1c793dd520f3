import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildWordPieceVocab, FullTokenizer, Vocab } from '@realm/tokenizer';
import { fixture } from '@realm/testing';
import { decodeExample } from '../tfrecord/example.js';
import { readTfRecords } from '../tfrecord/record-file.js';
import { buildCorpus, CORPUS_LAYOUT } from './build.js';
import { readInputDocuments } from './input.js';
import { orqaBlockExampleFromExample, pretrainRecordFromExample, retrievalDocumentFromExample } from './records.js';
import { documentUid } from './uid.js';

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'realm-corpus-test-'));
  roots.push(dir);
  return dir;
}
async function records(path: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const payload of readTfRecords(path)) out.push(payload);
  return out;
}
async function shardRecords(dir: string, prefix: string): Promise<Uint8Array[][]> {
  const [subdir, stem] = prefix.split('/');
  const names = (await readdir(join(dir, subdir))).filter((n) => n.startsWith(stem)).sort();
  return Promise.all(names.map((name) => records(join(dir, subdir, name))));
}
const utf8 = new TextDecoder();
const byteSlice = (text: string, start: number, limit: number) => utf8.decode(new TextEncoder().encode(text).subarray(start, limit));

const documents = [
  { title: 'Ada Quill', text: 'Ada Quill was born in Paris in 1843. She worked for Acme Corporation. Later she moved to Berlin.', source: 'a' },
  { title: 'List of things', text: 'This page is excluded by title.', source: 'b' },
  { title: 'Berlin', text: 'Berlin is a city. It was founded in 1237.', source: 'c' },
];

describe('buildCorpus on a hand-made corpus', () => {
  test('writes row-aligned REALM and ORQA files, shards by ceil(total/numShards), and a manifest', async () => {
    const tokenizer = new FullTokenizer(new Vocab(buildWordPieceVocab(documents.map((d) => `${d.title} ${d.text}`))));
    const out = join(await tempDir(), 'corpus');
    // Whole-word vocab: title 2 tokens, sentences 9, 6, 6 (punctuation included). With 19:
    // 3+2+9+6 = 20 > 19 closes [s0]; then 3+2+6+6 = 17 ≤ 19 packs [s1, s2].
    const stats = await buildCorpus(documents, tokenizer, out, { maxBlockLength: 19, numShards: 2 });
    expect(stats).toMatchObject({ documents: 2, skippedDocuments: 1, numShards: 2 });

    const blocks = (await records(join(out, CORPUS_LAYOUT.orqaBlocks))).map((b) => utf8.decode(b));
    expect(blocks).toEqual([
      'Ada Quill was born in Paris in 1843.',
      'She worked for Acme Corporation. Later she moved to Berlin.',
      'Berlin is a city. It was founded in 1237.',
    ]);
    expect(stats.blocks).toBe(3);
    const titles = (await records(join(out, CORPUS_LAYOUT.orqaTitles))).map((b) => utf8.decode(b));
    expect(titles).toEqual(['Ada Quill', 'Ada Quill', 'Berlin']);

    // Shards: ceil(3/2) = 2 then 1, in input order, and concatenated they equal blocks.tfr.
    const retrievalShards = await shardRecords(out, CORPUS_LAYOUT.retrievalPrefix);
    expect(retrievalShards.map((s) => s.length)).toEqual([2, 1]);
    const retrieval = retrievalShards.flat().map((p, i) => retrievalDocumentFromExample(decodeExample(p), `doc ${i}`));
    expect(retrieval.map((d) => d.body)).toEqual(blocks);
    expect(retrieval[0].bodyTokenIds).toEqual(Array.from(tokenizer.encodeIds(blocks[0])));
    expect(retrieval[0].titleTokenTexts).toEqual(['ada', 'quill']);

    const pretrain = (await shardRecords(out, CORPUS_LAYOUT.pretrainPrefix)).flat().map((p) => pretrainRecordFromExample(decodeExample(p)));
    expect(pretrain.map((r) => r.text)).toEqual(blocks);
    expect(pretrain[1].uid).toBe(documentUid('Ada Quill', blocks[1]));
    // Sentence offsets of block 1 are re-based to the joined block text.
    expect(pretrain[1].sentenceByteStart.map((s, i) => byteSlice(blocks[1], s, pretrain[1].sentenceByteLimit[i]))).toEqual([
      'She worked for Acme Corporation.',
      'Later she moved to Berlin.',
    ]);
    const spanTexts = pretrain.map((r) => r.spanByteStart.map((s, i) => byteSlice(r.text, s, r.spanByteLimit[i])));
    expect(spanTexts[0]).toContain('1843');
    expect(spanTexts[0]).toContain('Paris');
    expect(spanTexts[2]).toContain('1237');

    const orqa = (await records(join(out, CORPUS_LAYOUT.orqaExamples))).map((p) => orqaBlockExampleFromExample(decodeExample(p)));
    expect(orqa[1].sentenceStarts).toEqual([0, tokenizer.encodeIds('She worked for Acme Corporation.').length]);
    expect(orqa[1].tokenIds).toEqual(retrieval[1].bodyTokenIds);

    const manifest = JSON.parse(await readFile(join(out, CORPUS_LAYOUT.manifest), 'utf8'));
    expect(manifest.stats.blocks).toBe(3);
    expect((await readFile(join(out, 'vocab.txt'), 'utf8')).split('\n')[0]).toBe('[PAD]');
  });

  test('refuses to overwrite a published corpus and fails clearly on empty input', async () => {
    const tokenizer = new FullTokenizer(new Vocab(buildWordPieceVocab(['a b c'])));
    const out = join(await tempDir(), 'corpus');
    await buildCorpus([{ title: 'A', text: 'a b c.', source: 'x' }], tokenizer, out, { numShards: 1 });
    await expect(buildCorpus([{ title: 'A', text: 'a b c.', source: 'x' }], tokenizer, out)).rejects.toThrow(/already exists/);
    await expect(buildCorpus([], tokenizer, join(await tempDir(), 'empty'))).rejects.toThrow('corpus build: the input produced no blocks');
  });
});

const abstracts = fixture('corpus/wikipedia_abstracts_sample_500.jsonl');
const bertVocab = fixture('bert_vocab/uncased_L-12_H-768_A-12/vocab.txt');

test.skipIf(!abstracts.present || !bertVocab.present)('real Wikipedia abstracts with the BERT vocab: blocks fit 288 and tokens match', async () => {
  const tokenizer = new FullTokenizer(Vocab.fromText(await readFile(bertVocab.path, 'utf8'), bertVocab.path));
  const docs = [];
  for await (const doc of readInputDocuments(abstracts.path)) {
    docs.push(doc);
    if (docs.length === 40) break;
  }
  const out = join(await tempDir(), 'corpus');
  const stats = await buildCorpus(docs, tokenizer, out, { numShards: 6 });
  const retrieval = (await shardRecords(out, CORPUS_LAYOUT.retrievalPrefix)).flat().map((p) => retrievalDocumentFromExample(decodeExample(p)));
  expect(retrieval).toHaveLength(stats.blocks);
  for (const doc of retrieval) {
    expect(doc.bodyTokenIds).toEqual(Array.from(tokenizer.encodeIds(doc.body)));
    if (stats.overLongBlocks === 0) expect(3 + doc.titleTokenIds.length + doc.bodyTokenIds.length).toBeLessThanOrEqual(288);
  }
  expect(stats.salientSpans).toBeGreaterThan(stats.blocks); // Wikipedia abstracts are dense in names and dates
}, 60_000);

test('readInputDocuments names file and line for malformed JSONL', async () => {
  const dir = await tempDir();
  const path = join(dir, 'docs.jsonl');
  await (await import('node:fs/promises')).writeFile(path, '{"title":"a","text":"b"}\n{"title":"c"}\n');
  const read = async () => {
    for await (const _ of readInputDocuments(path)) void _;
  };
  await expect(read()).rejects.toThrow(`${path}:2: missing string field "text|body|abstract"`);
});
