// WordPiece parity against real BERT pre-training data: the two TFRecord files written by
// google-research/bert create_pretraining_data.py from sample_text.txt must be reproducible, segment
// by segment, from our FullTokenizer's tokenization of sample_text.txt (MANIFEST §2a).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { fixture } from '@realm/testing';
import { FullTokenizer } from '@realm/tokenizer';
import { floatValues, int64Numbers } from './features.js';
import { readTfExamples } from './example-file.js';
import type { TfExample } from './example.js';

const FILES = [
  fixture('tfrecord/bert_create_pretraining_data/tf_examples.vincentcheny.tfrecord'),
  fixture('tfrecord/bert_create_pretraining_data/tf_examples.BiaoLiu2017.tfrecord'),
];
const sampleText = fixture('tfrecord/bert_create_pretraining_data/sample_text.txt');
const vocabFile = fixture('bert_vocab/uncased_L-12_H-768_A-12/vocab.txt');
const ready = [...FILES, sampleText, vocabFile].every((f) => f.present);

const CLS = 101;
const SEP = 102;

/**
 * Documents as create_pretraining_data.create_training_instances reads them: each line is stripped
 * and tokenized; a blank line starts a new document; empty documents are dropped. Returns one
 * token-id stream per document (its sentences concatenated).
 */
function documentStreams(text: string, tokenizer: FullTokenizer): number[][] {
  const documents: number[][] = [[]];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '') {
      documents.push([]);
      continue;
    }
    documents[documents.length - 1].push(...tokenizer.encodeIds(line));
  }
  return documents.filter((doc) => doc.length > 0);
}

/** The original (pre-masking) sequence: masked_lm_ids put back at masked_lm_positions where weight > 0, cut at sum(input_mask). */
function unmaskedSequence(example: TfExample): number[] {
  const ids = int64Numbers(example, 'input_ids');
  const positions = int64Numbers(example, 'masked_lm_positions');
  const originals = int64Numbers(example, 'masked_lm_ids');
  const weights = floatValues(example, 'masked_lm_weights');
  weights.forEach((weight, i) => {
    if (weight > 0) ids[positions[i]] = originals[i];
  });
  const length = int64Numbers(example, 'input_mask').reduce((sum, bit) => sum + bit, 0);
  return ids.slice(0, length);
}

/** Splits `[CLS] A [SEP] B [SEP]` and checks segment_ids agree with the split. */
function segments(example: TfExample, sequence: number[]): [number[], number[]] {
  expect(sequence[0]).toBe(CLS);
  expect(sequence[sequence.length - 1]).toBe(SEP);
  const firstSep = sequence.indexOf(SEP);
  expect(firstSep).toBeLessThan(sequence.length - 1);
  const a = sequence.slice(1, firstSep);
  const b = sequence.slice(firstSep + 1, -1);
  expect(b.includes(SEP)).toBe(false);
  const segmentIds = int64Numbers(example, 'segment_ids').slice(0, sequence.length);
  expect(segmentIds).toEqual([...Array(firstSep + 1).fill(0), ...Array(b.length + 1).fill(1)]);
  return [a, b];
}

function containsRun(stream: readonly number[], run: readonly number[]): boolean {
  outer: for (let start = 0; start + run.length <= stream.length; start++) {
    for (let i = 0; i < run.length; i++) if (stream[start + i] !== run[i]) continue outer;
    return true;
  }
  return false;
}

describe('BERT pre-training TFRecords vs our FullTokenizer', () => {
  test.skipIf(!ready)('every A and B segment of both files is a contiguous run of one document of sample_text.txt', async () => {
    const tokenizer = FullTokenizer.fromVocabText(readFileSync(vocabFile.path, 'utf8'), { doLowerCase: true }, vocabFile.path);
    const documents = documentStreams(readFileSync(sampleText.path, 'utf8'), tokenizer);
    expect(documents.length).toBeGreaterThan(1);
    let matched = 0;
    const unmatched: string[] = [];
    for (const file of FILES) {
      for await (const { example, index } of readTfExamples(file.path)) {
        const [a, b] = segments(example, unmaskedSequence(example));
        for (const [name, run] of [['A', a], ['B', b]] as const) {
          expect(run.length).toBeGreaterThan(0);
          if (documents.some((doc) => containsRun(doc, run))) matched++;
          else unmatched.push(`${file.path} record ${index} segment ${name}: ${tokenizer.convertIdsToTokens(run).join(' ')}`);
        }
      }
    }
    expect(unmatched).toEqual([]);
    expect(matched).toBe(2 * 60 * 2);
  });

  test.skipIf(!ready)('record 0 reads back as the text quoted in the MANIFEST', async () => {
    const tokenizer = FullTokenizer.fromVocabText(readFileSync(vocabFile.path, 'utf8'), { doLowerCase: true }, vocabFile.path);
    const records = readTfExamples(FILES[0].path);
    const first = (await records.next()).value;
    await records.return(undefined); // closes the file
    if (!first) throw new Error('no records');
    const text = tokenizer.convertIdsToTokens(unmaskedSequence(first.example)).join(' ');
    expect(text.startsWith('[CLS] for more than a mile up the great main street , crossed in the centre ')).toBe(true);
    expect(text).toContain(' through a network [SEP] possibly this may have been the reason why early rise ##rs in that locality , ');
    expect(text.endsWith(' washed skies above them . [SEP]')).toBe(true);
  });
});
