import { readFileSync } from 'node:fs';
import { fixture } from '@realm/testing';
import { describe, expect, it, test } from 'vitest';
import { BasicTokenizer } from './basic.js';
import { FullTokenizer } from './full-tokenizer.js';
import { packSegments } from './packing.js';
import { Vocab } from './vocab.js';
import { WordpieceTokenizer } from './wordpiece.js';

const casesFile = fixture('tokenization/bert_wordpiece_cases.json');
const uncasedVocabFile = fixture('bert_vocab/uncased_L-12_H-768_A-12/vocab.txt');
const sampleText = fixture('tfrecord/bert_create_pretraining_data/sample_text.txt');

interface WordpieceCase {
  id: string;
  component: string;
  do_lower_case?: boolean;
  vocab: { inline: string[] } | { file: string } | null;
  input?: string;
  input_pair?: string;
  input_tokens?: string[];
  expected_tokens?: string[];
  expected_ids?: number[];
  expected_offsets?: Array<[number, number]>;
  expected_type_ids?: number[];
  note?: string;
}

function loadCases(): WordpieceCase[] {
  return casesFile.present ? (JSON.parse(readFileSync(casesFile.path, 'utf8')) as { cases: WordpieceCase[] }).cases : [];
}

const fileVocabs = new Map<string, Vocab>();

function vocabOf(c: WordpieceCase): Vocab {
  if (c.vocab === null) throw new Error(`${c.id} has no vocab`);
  if ('inline' in c.vocab) return new Vocab(c.vocab.inline);
  const file = fixture(c.vocab.file);
  let vocab = fileVocabs.get(file.path);
  if (vocab === undefined) {
    vocab = Vocab.fromText(readFileSync(file.path, 'utf8'), file.path);
    fileVocabs.set(file.path, vocab);
  }
  return vocab;
}

/**
 * The one HF-only case keeps a literal "[MASK]" whole (never_split). Per its note, BERT splits it
 * into "[", "mask", "]"; the offsets of those three follow from the span of the HF token.
 */
function googleExpectation(c: WordpieceCase): { tokens: string[]; offsets: Array<[number, number]> } {
  const tokens: string[] = [];
  const offsets: Array<[number, number]> = [];
  (c.expected_tokens ?? []).forEach((token, i) => {
    const [start, end] = c.expected_offsets?.[i] ?? [0, 0];
    if (token === '[CLS]' || token === '[SEP]') return;
    if (token === '[MASK]') {
      tokens.push('[', 'mask', ']');
      offsets.push([start, start + 1], [start + 1, end - 1], [end - 1, end]);
    } else {
      tokens.push(token);
      offsets.push([start, end]);
    }
  });
  return { tokens, offsets };
}

describe('bert_wordpiece_cases.json (google-research/bert, HF, pyserini, vespa)', () => {
  const cases = loadCases();
  test.skipIf(!casesFile.present)('the fixture has its 32 cases', () => {
    expect(cases).toHaveLength(32);
  });

  it.skipIf(!casesFile.present).each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const doLowerCase = c.do_lower_case ?? true;
    if (c.component.startsWith('BasicTokenizer')) {
      expect(new BasicTokenizer(doLowerCase).tokenize(c.input ?? '')).toEqual(c.expected_tokens);
      return;
    }
    const vocab = vocabOf(c);
    if (c.component === 'WordpieceTokenizer') {
      expect(new WordpieceTokenizer(vocab).tokenize(c.input ?? '')).toEqual(c.expected_tokens);
      return;
    }
    if (c.component === 'convert_tokens_to_ids') {
      expect(vocab.convertTokensToIds(c.input_tokens ?? [])).toEqual(c.expected_ids);
      return;
    }
    const tokenizer = new FullTokenizer(vocab, { doLowerCase });
    const input = c.input ?? '';
    if (c.input_pair !== undefined) {
      // A pair: [CLS] a [SEP] b [SEP] with type ids, or the bare concatenation without specials.
      const a = tokenizer.encode(input);
      const b = tokenizer.encode(c.input_pair);
      const withSpecials = (c.expected_tokens ?? [])[0] === '[CLS]';
      if (withSpecials) {
        const length = a.ids.length + b.ids.length + 3;
        const packed = packSegments([a.ids, b.ids], length, vocab.specialTokenIds());
        expect(Array.from(packed.tokenIds)).toEqual(c.expected_ids);
        expect(vocab.convertIdsToTokens(packed.tokenIds)).toEqual(c.expected_tokens);
        expect(Array.from(packed.segmentIds)).toEqual(c.expected_type_ids);
      } else {
        expect([...a.ids, ...b.ids]).toEqual(c.expected_ids);
        expect([...a.tokens, ...b.tokens]).toEqual(c.expected_tokens);
        expect([...a.ids.map(() => 0), ...b.ids.map(() => 1)]).toEqual(c.expected_type_ids);
      }
      const offsets = [...a.ids.keys()].map((k) => [a.starts[k], a.ends[k]]).concat([...b.ids.keys()].map((k) => [b.starts[k], b.ends[k]]));
      expect(offsets).toEqual((c.expected_offsets ?? []).filter((_o, i) => !['[CLS]', '[SEP]'].includes((c.expected_tokens ?? [])[i])));
      return;
    }
    if (c.id.startsWith('hf/test_offsets_with_special_characters')) {
      const expected = googleExpectation(c);
      const encoding = tokenizer.encode(input);
      expect(encoding.tokens).toEqual(expected.tokens);
      expect([...encoding.ids.keys()].map((k) => [encoding.starts[k], encoding.ends[k]])).toEqual(expected.offsets);
      return;
    }
    const encoding = tokenizer.encode(input);
    if (c.expected_tokens) expect(encoding.tokens).toEqual(c.expected_tokens);
    if (c.expected_ids) expect(Array.from(encoding.ids)).toEqual(c.expected_ids);
    expect(tokenizer.tokenize(input)).toEqual(encoding.tokens);
    expect(Array.from(tokenizer.encodeIds(input))).toEqual(Array.from(encoding.ids));
  });
});

// Hand-worked cases over an inline vocab. Each row: text, tokens, ids, and the original substring
// each piece points at (offsets into the ORIGINAL text, before cleaning/lower-casing/NFD).
const VOCAB = new Vocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'hello', 'world', 'cafe', 'naive', '!', ',', '.', '博', '推', 'x', 'ο', '##δ', '##ος', 'i', '##stanbul', 'a', '##b', '##c', '😀', '##😀', 'run', '##ning', 'Café', 'b', '##u', '##y']);

describe('FullTokenizer: hand-worked cases with offsets', () => {
  it.each<[string, string, string[], number[], string[]]>([
    ['accents (precomposed)', 'Café naïve!', ['cafe', 'naive', '!'], [7, 8, 9], ['Café', 'naïve', '!']],
    ['accents (decomposed e + U+0301)', 'Cafe\u0301', ['cafe'], [7], ['Cafe\u0301']],
    ['CJK between Latin letters', 'x博推x', ['x', '博', '推', 'x'], [14, 12, 13, 14], ['x', '博', '推', 'x']],
    ['removed controls inside a word', 'a\u200bb\u0000c', ['a', '##b', '##c'], [20, 21, 22], ['a', '\u200bb', '\u0000c'].map((s, i) => (i === 0 ? s : s.slice(1)))],
    ['soft hyphen (Cf) inside a word', 'hel\u00adlo', ['hello'], [5], ['hel\u00adlo']],
    ['astral continuation', 'x😀', ['x', '##😀'], [14, 24], ['x', '😀']],
    ['final sigma', 'ΟΔΟΣ.', ['ο', '##δ', '##ος', '.'], [15, 16, 17, 11], ['Ο', 'Δ', 'ΟΣ', '.']],
    ['dotted capital I', 'İstanbul', ['i', '##stanbul'], [18, 19], ['İ', 'stanbul']],
    ['Unicode spaces, U+2028', '\u00a0hello\u2028world\u3000', ['hello', 'world'], [5, 6], ['hello', 'world']],
    ['a lone combining mark disappears', 'a \u0301 b', ['a', 'b'], [20, 28], ['a', 'b']],
    ['unknown word covers the whole word', 'RUNNING zzz', ['run', '##ning', '[UNK]'], [25, 26, 1], ['RUN', 'NING', 'zzz']],
    // û̲ = u + U+0302 (ccc 230) + U+0332 (ccc 220): NFD reorders the marks across the two source
    // characters, so they share one span; the stripped marks stay inside it.
    ['combining marks reordered by NFD', 'xû\u0332y', ['x', '##u', '##y'], [14, 29, 30], ['x', 'û\u0332', 'y']],
    ['U+FFFD and NUL alone produce nothing', '\ufffd \u0000', [], [], []],
  ])('%s', (_name, text, tokens, ids, sources) => {
    const tokenizer = new FullTokenizer(VOCAB);
    const pieces = tokenizer.tokenizeWithOffsets(text);
    expect(pieces.map((p) => p.token)).toEqual(tokens);
    expect(pieces.map((p) => p.id)).toEqual(ids);
    expect(pieces.map((p) => text.slice(p.start, p.end))).toEqual(sources);
  });

  test('cased: accents and case kept', () => {
    const tokenizer = new FullTokenizer(VOCAB, { doLowerCase: false });
    expect(tokenizer.tokenize('Café naïve ΟΔΟΣ')).toEqual(['Café', '[UNK]', '[UNK]']);
  });

  test('a 201-character word is [UNK] by default; maxInputCharsPerWord=100 lowers the limit', () => {
    const word = 'a' + 'b'.repeat(150);
    expect(new FullTokenizer(VOCAB).tokenize(word)).toHaveLength(151);
    expect(new FullTokenizer(VOCAB).tokenize('a' + 'b'.repeat(200))).toEqual(['[UNK]']);
    const strict = new FullTokenizer(VOCAB, { maxInputCharsPerWord: 100 });
    expect(strict.tokenizeWithOffsets(`x ${word}`).map((p) => [p.token, p.start, p.end])).toEqual([
      ['x', 0, 1],
      ['[UNK]', 2, 153],
    ]);
  });

  test('config is validated (strict keys)', () => {
    expect(() => new FullTokenizer(VOCAB, { doLowercase: true } as never)).toThrow(/doLowercase/);
  });
});

describe('offsets on real text (sample_text.txt, bert-base-uncased)', () => {
  test.skipIf(!uncasedVocabFile.present || !sampleText.present)('each piece (minus ##) is the normalized original slice, pieces are ordered', () => {
    const tokenizer = FullTokenizer.fromVocabText(readFileSync(uncasedVocabFile.path, 'utf8'));
    const text = readFileSync(sampleText.path, 'utf8');
    const pieces = tokenizer.tokenizeWithOffsets(text);
    expect(pieces.length).toBeGreaterThan(900);
    const normalize = (s: string): string => s.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
    let previousEnd = 0;
    for (const piece of pieces) {
      expect(piece.start).toBeGreaterThanOrEqual(previousEnd);
      expect(piece.end).toBeGreaterThan(piece.start);
      if (piece.token !== '[UNK]') expect(normalize(text.slice(piece.start, piece.end))).toBe(piece.token.replace(/^##/, ''));
      previousEnd = piece.end;
    }
    // The first line's rare characters, as google-research/bert tokenization.py splits them.
    const firstLine = text.split('\n')[0];
    expect(tokenizer.tokenize(firstLine).slice(-16)).toEqual([':', '力', '加', '勝', '北', '区', 'ᴵ', '##ᴺ', '##ᵀ', '##ᵃ', '##ছ', '##জ', '##ট', '##ড', '##ণ', '##ত']);
    expect(Array.from(tokenizer.encodeIds(firstLine).slice(-10))).toEqual([1493, 30030, 30031, 30032, 29893, 29894, 29895, 29896, 29897, 29898]);
  });
});
