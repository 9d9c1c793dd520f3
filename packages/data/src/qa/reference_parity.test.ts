// Differential test: our normalizeAnswer and Python-regex matching against tools/reference/orqa_eval.py,
// an independent restatement of ORQA's eval_utils run by Debian's /usr/bin/python3 (standard library only).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, randomInt, type Rng } from '@realm/tokenizer';
import { fixture, repoRoot } from '@realm/testing';
import { describe, expect, test } from 'vitest';
import { normalizeAnswer } from './normalize_answer.js';
import { compilePythonRegex, pythonRegexMatches } from './python_regex.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(repoRoot(), 'tools', 'reference', 'orqa_eval.py');
const pythonReady = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import re, unicodedata, json, string']).status === 0;
const SKIP_REASON = `${PYTHON} with re/unicodedata is not available: skipping the Python parity test`;
if (!pythonReady) console.warn(SKIP_REASON);

function runReference(requests: object[]): Array<Record<string, unknown>> {
  const result = spawnSync(PYTHON, [SCRIPT], { input: requests.map((request) => JSON.stringify(request)).join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`orqa_eval.py failed: ${result.stderr}`);
  return result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

// Pieces chosen to hit every rule: articles and near-articles, ASCII vs Unicode punctuation, NFD-affected
// letters, case specials (İ, ı, Σ, ß), combining marks, Python-only whitespace, non-whitespace look-alikes.
const PIECES = [
  'the', 'The', 'THE', 'a', 'A', 'an', 'An', 'theatre', 'anne', 'thé', 'Thé', 'à', 'an_', '_a', 'a1', 'éa',
  'Café', 'Ångström', 'İstanbul', 'ıi', 'ΣΟΦΟΣ', 'Straße', 'Ǆ', 'ﬁ', 'e\u0301', '\u0301', '١٢٣', '東京', 'Ⅻ', '½',
  '.', ',', '-', "'", '"', '(', ')', '_', '$', '%', '&', '\\', '\u201c', '\u201d', '\u2013', '\u2019', '¿', '«', '»',
  ' ', '  ', '\t', '\n', '\r', '\u00a0', '\u3000', '\u2009', '\u1680', '\x1c', '\x1f', '\x85', '\u2028', '\u202f',
  '\ufeff', '\u200b', '\u180e',
];

function randomText(rng: Rng, maxPieces: number): string {
  const count = randomInt(rng, maxPieces + 1);
  let text = '';
  for (let i = 0; i < count; i++) text += PIECES[randomInt(rng, PIECES.length)];
  return text;
}

// Hand-written patterns exercising the translation: escapes, classes with categories, anchors, flags, lookarounds.
const TRICKY_PATTERNS = [
  '\\bthe\\b', 'caf\\b', '\\w+\\s\\w+', '[^\\W\\d_]+', '[\\s,]+', '\\S+$', '^$', 'a$', '^a', '.+', '(?s).+\\Z', '\\A\\s*the',
  'ist?anbul', '[a-z]+', 'stra(ss|ß)e', 'σοφος', '\\d+', '[\\-\\,]', 'x{,2}y', 'x{2,}', 'x{', '{}', '[]]', '(?x) t h e',
  '(?P<w>\\w)(?P=w)', '(a|an|the)\\s', '(?<=t)he', '(?<!x)the', 'the(?=\\s)', 'the(?!atre)', '\\x41|\\u00e9', '\\101', '[\\0-\\x20]+',
  'e\\u0301', '\u00e9', '\\.\\.\\.', '(\\(REF:\\s+)?Miami', 'a**', '(?(1)a)', 'a\\', '\\k', '[b-a]', '(?i)ThE', '(?m)^b', '(?-m:a$)',
];

describe.skipIf(!pythonReady)('parity with Python (tools/reference/orqa_eval.py)', () => {
  test('normalizeAnswer equals Python on 400 generated strings', () => {
    const rng = createRng(20240601);
    const texts = Array.from({ length: 400 }, () => randomText(rng, 12));
    const expected = runReference(texts.map((text) => ({ normalize: text }))).map((response) => response.normalized);
    const mismatches = texts.filter((text, i) => normalizeAnswer(text) !== expected[i]);
    expect(mismatches).toEqual([]);
  });

  test('regex compile/match equals Python on CuratedTrec patterns and tricky patterns', () => {
    const rng = createRng(7);
    const curatedTrec = fixture('qa/curatedtrec/CuratedTrec-train.txt');
    const fixturePatterns = curatedTrec.present
      ? readFileSync(curatedTrec.path, 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { answer: string[] }).answer[0])
      : [];
    const requests: Array<{ pattern: string; text: string }> = [];
    for (const pattern of [...fixturePatterns.slice(0, 250), ...TRICKY_PATTERNS]) {
      // One text built from the pattern's own first alternative (likely to match), one random, one shifted.
      const firstAlternative = pattern.split('|')[0].replace(/[\\^$()?*+[\]{}]/g, '');
      requests.push({ pattern, text: firstAlternative }, { pattern, text: randomText(rng, 6) }, { pattern, text: ` ${firstAlternative}` });
    }
    const expected = runReference(requests);
    const ours = requests.map(({ pattern, text }) => {
      const compiled = compilePythonRegex(pattern);
      return { compiles: compiled.ok, match: compiled.ok && pythonRegexMatches(compiled.regex, text) };
    });
    const mismatches = requests.map((request, i) => ({ ...request, ours: ours[i], python: expected[i] })).filter((row) => JSON.stringify(row.ours) !== JSON.stringify(row.python));
    expect(mismatches).toEqual([]);
    // The comparison is only meaningful if both outcomes occur often.
    expect(ours.filter((row) => row.match).length).toBeGreaterThan(200);
    expect(ours.filter((row) => !row.match).length).toBeGreaterThan(200);
  });
});
