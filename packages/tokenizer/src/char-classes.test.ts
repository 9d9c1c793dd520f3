import { readFileSync } from 'node:fs';
import { fixture } from '@realm/testing';
import { describe, expect, it, test } from 'vitest';
import { charFlags, CHAR_NONSPACING_MARK, CHAR_REMOVED, CHAR_SPLITS_WORDS, isChineseChar, isControl, isPunctuation, isWhitespace } from './char-classes.js';

const cases = fixture('tokenization/bert_wordpiece_cases.json');

interface CharClassCase {
  id: string;
  predicate: '_is_whitespace' | '_is_control' | '_is_punctuation';
  true: string[];
  false: string[];
}

const PREDICATES = { _is_whitespace: isWhitespace, _is_control: isControl, _is_punctuation: isPunctuation };

describe('BERT character predicates against google-research/bert tokenization_test.py', () => {
  test.skipIf(!cases.present)('every char_class_case holds', () => {
    const data = JSON.parse(readFileSync(cases.path, 'utf8')) as { char_class_cases: CharClassCase[] };
    expect(data.char_class_cases).toHaveLength(3);
    for (const c of data.char_class_cases) {
      const predicate = PREDICATES[c.predicate];
      for (const ch of c.true) expect(predicate(ch), `${c.id} ${JSON.stringify(ch)}`).toBe(true);
      for (const ch of c.false) expect(predicate(ch), `${c.id} ${JSON.stringify(ch)}`).toBe(false);
    }
  });
});

describe('hand-worked character classes (Unicode categories and BERT ranges)', () => {
  it.each([
    // [char, whitespace, control, punctuation, chinese]
    ['\u00a0', true, false, false, false], // NO-BREAK SPACE, Zs
    ['\u3000', true, false, false, false], // IDEOGRAPHIC SPACE, Zs
    ['\u200b', false, true, false, false], // ZERO WIDTH SPACE is Cf, not Zs
    ['\u00ad', false, true, false, false], // SOFT HYPHEN, Cf
    ['\x7f', false, true, false, false], // DEL: Cc; not in BERT's ASCII punctuation ranges, not P*
    ['^', false, false, true, false], // ASCII 94 is punctuation for BERT although Unicode says Sk
    ['\u00bf', false, false, true, false], // ¿ Po
    ['\u2014', false, false, true, false], // EM DASH Pd
    ['\u00a7', false, false, true, false], // § is Po
    ['+', false, false, true, false], // ASCII 43
    ['\u00d7', false, false, false, false], // × is Sm: not punctuation outside ASCII
    ['\u4e00', false, false, false, true], // first CJK Unified Ideograph
    ['\u9fff', false, false, false, true], // last of the block
    ['\u3400', false, false, false, true], // Extension A start
    ['\u3041', false, false, false, false], // Hiragana is not CJK for BERT
    ['\uac00', false, false, false, false], // Hangul neither
    ['\uf900', false, false, false, true], // CJK compatibility ideograph
    ['\u{20000}', false, false, false, true], // Extension B (astral)
    ['\u{2a6df}', false, false, false, true], // Extension B end
    ['\u{2a6e0}', false, false, false, false], // just past it
    ['\u{1f4a9}', false, false, false, false], // 💩 So
  ])('%j: whitespace=%s control=%s punctuation=%s chinese=%s', (ch, whitespace, control, punctuation, chinese) => {
    expect(isWhitespace(ch)).toBe(whitespace);
    expect(isControl(ch)).toBe(control);
    expect(isPunctuation(ch)).toBe(punctuation);
    expect(isChineseChar(ch)).toBe(chinese);
  });

  test('U+0000 and U+FFFD are removed by cleaning; U+0000 is a control, U+FFFD is not', () => {
    expect(charFlags(0) & CHAR_REMOVED).toBeTruthy();
    expect(charFlags(0xfffd) & CHAR_REMOVED).toBeTruthy();
    expect(isControl('\u0000')).toBe(true);
    expect(isControl('\ufffd')).toBe(false);
  });

  test("U+2028/U+2029 split words (Python str.split) but are not BERT whitespace", () => {
    expect(isWhitespace('\u2028')).toBe(false);
    expect(charFlags(0x2028) & CHAR_SPLITS_WORDS).toBeTruthy();
    expect(charFlags(0x2029) & CHAR_SPLITS_WORDS).toBeTruthy();
    expect(charFlags(0x41) & CHAR_SPLITS_WORDS).toBe(0);
  });

  test('combining acute (U+0301) is Mn; a spacing mark (U+0903, Mc) is not', () => {
    expect(charFlags(0x0301) & CHAR_NONSPACING_MARK).toBeTruthy();
    expect(charFlags(0x0903) & CHAR_NONSPACING_MARK).toBe(0);
  });

  test('an empty string is rejected', () => {
    expect(() => isWhitespace('')).toThrow('char-classes: expected one character, got an empty string');
  });
});
