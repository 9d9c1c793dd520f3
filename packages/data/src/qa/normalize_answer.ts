// SQuAD-style answer normalisation exactly as ORQA applies it, with Python 3 string semantics.
// Ports language/orqa/utils/eval_utils.py: normalize_answer (NFD, lower, strip ASCII punctuation,
// drop articles with a Unicode-aware \b, collapse whitespace as str.split() does).

/** Python's `string.punctuation`: the 32 ASCII punctuation characters; Unicode punctuation is kept. */
export const PYTHON_ASCII_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const PUNCTUATION = new Set(PYTHON_ASCII_PUNCTUATION);

/**
 * Python's str.isspace() set, which str.split() splits on: bidi classes WS/B/S plus category Zs.
 * Unlike JS \s it includes \x1c-\x1f and \x85, and it excludes U+FEFF.
 */
export const PYTHON_WHITESPACE = '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
const WHITESPACE_RUN = new RegExp(`[${[...PYTHON_WHITESPACE].map((ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`).join('')}]+`, 'u');

/**
 * Python 3 `re` word characters for str patterns: str.isalnum() or '_' (categories L*, N*). Combining
 * marks are not word characters, so after NFD "thé" is "the" + U+0301 and "the" is a whole word.
 * (Checked equal to Python 3.11's \w on every code point assigned in its Unicode 14 database.)
 */
const WORD_RUN = /[\p{L}\p{N}_]+/gu;
const ARTICLES = new Set(['a', 'an', 'the']);

/** Python `str.lower()`. JS toLowerCase uses the same full mappings (İ → i̇, final sigma in context). */
export function pythonLower(text: string): string {
  return text.toLowerCase();
}

/** Python `"".join(ch for ch in text if ch not in string.punctuation)`. */
export function removeAsciiPunctuation(text: string): string {
  let out = '';
  for (const ch of text) if (!PUNCTUATION.has(ch)) out += ch;
  return out;
}

/**
 * Python `re.sub(r"\b(a|an|the)\b", " ", text)`. A match must start and end on a Unicode word boundary,
 * so it is exactly a maximal run of word characters equal to "a", "an" or "the"; each becomes one space.
 */
export function removeArticles(text: string): string {
  return text.replace(WORD_RUN, (word) => (ARTICLES.has(word) ? ' ' : word));
}

/** Python `text.split()` (no argument): split on runs of Python whitespace, dropping empty ends. */
export function pythonSplit(text: string): string[] {
  return text.split(WHITESPACE_RUN).filter((piece) => piece.length > 0);
}

/** eval_utils.normalize_answer: NFD, then white_space_fix(remove_articles(remove_punc(lower(s)))). */
export function normalizeAnswer(text: string): string {
  const decomposed = text.normalize('NFD');
  return pythonSplit(removeArticles(removeAsciiPunctuation(pythonLower(decomposed)))).join(' ');
}
