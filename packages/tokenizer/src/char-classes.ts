// Character classes of BERT's BasicTokenizer, as code-point predicates backed by a lookup table.
// Ports google-research/bert tokenization.py: _is_whitespace, _is_control, _is_punctuation and
// BasicTokenizer._is_chinese_char. Unicode categories come from the JS engine (\p{...}).

/** Removed by `_clean_text`: U+0000, U+FFFD and control/format characters (Cc, Cf) except \t \n \r. */
export const CHAR_REMOVED = 1;
/** BERT `_is_whitespace`: ' ', \t, \n, \r or category Zs. */
export const CHAR_WHITESPACE = 2;
/** BERT `_is_punctuation`: ASCII 33–47, 58–64, 91–96, 123–126, or category P*. */
export const CHAR_PUNCTUATION = 4;
/** BERT `_is_chinese_char`: the CJK ideograph blocks, each ideograph becomes its own token. */
export const CHAR_CJK = 8;
/** Category Mn (non-spacing mark): dropped by `_run_strip_accents` after NFD when lower-casing. */
export const CHAR_NONSPACING_MARK = 16;
/**
 * Splits words although BERT's `_is_whitespace` says no: Python's `str.split()` (used by
 * `whitespace_tokenize` after cleaning) also splits on U+2028 (Zl) and U+2029 (Zp), which
 * `_clean_text` keeps. Every CHAR_WHITESPACE character also has this flag.
 */
export const CHAR_SPLITS_WORDS = 32;

const WHITESPACE_RE = /\p{Zs}/u;
const CONTROL_RE = /\p{Cc}|\p{Cf}/u;
const PUNCTUATION_RE = /\p{P}/u;
const NONSPACING_MARK_RE = /\p{Mn}/u;

/** True for BERT's CJK ranges (CJK Unified Ideographs, Extensions A–E, compatibility ideographs). */
export function isChineseCodePoint(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

function isAsciiPunctuation(cp: number): boolean {
  return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126);
}

/** Computes the flags of one code point from Unicode properties (the slow path; cached below). */
function computeFlags(cp: number): number {
  // Lone surrogates (category Cs) are none of the classes; Python never sees them in decoded text.
  if (cp >= 0xd800 && cp <= 0xdfff) return 0;
  const ch = String.fromCodePoint(cp);
  let flags = 0;
  if (cp === 9 || cp === 10 || cp === 13 || cp === 32 || WHITESPACE_RE.test(ch)) flags |= CHAR_WHITESPACE | CHAR_SPLITS_WORDS;
  else if (cp === 0 || cp === 0xfffd || CONTROL_RE.test(ch)) flags |= CHAR_REMOVED;
  if (cp === 0x2028 || cp === 0x2029) flags |= CHAR_SPLITS_WORDS;
  if (isAsciiPunctuation(cp) || PUNCTUATION_RE.test(ch)) flags |= CHAR_PUNCTUATION;
  if (isChineseCodePoint(cp)) flags |= CHAR_CJK;
  if (NONSPACING_MARK_RE.test(ch)) flags |= CHAR_NONSPACING_MARK;
  return flags;
}

// The Basic Multilingual Plane is tabulated once (about 65k regex tests, a few ms); astral code
// points are rare and cached on first sight.
let bmpTable: Uint8Array | undefined;
const astralFlags = new Map<number, number>();

function buildBmpTable(): Uint8Array {
  const table = new Uint8Array(0x10000);
  for (let cp = 0; cp < 0x10000; cp++) table[cp] = computeFlags(cp);
  return table;
}

/** The BMP flag table (index = UTF-16 code unit); built on first use. */
export function bmpCharFlags(): Uint8Array {
  bmpTable ??= buildBmpTable();
  return bmpTable;
}

/** Flags (CHAR_* bits) of any code point. */
export function charFlags(cp: number): number {
  if (cp < 0x10000) return bmpCharFlags()[cp];
  let flags = astralFlags.get(cp);
  if (flags === undefined) {
    flags = computeFlags(cp);
    astralFlags.set(cp, flags);
  }
  return flags;
}

function firstCodePoint(char: string): number {
  const cp = char.codePointAt(0);
  if (cp === undefined) throw new Error('char-classes: expected one character, got an empty string');
  return cp;
}

/** BERT `_is_whitespace` for one character (a code point, possibly a surrogate pair). */
export function isWhitespace(char: string): boolean {
  return (charFlags(firstCodePoint(char)) & CHAR_WHITESPACE) !== 0;
}

/** BERT `_is_control`: category Cc or Cf, except \t \n \r (which count as whitespace). */
export function isControl(char: string): boolean {
  const cp = firstCodePoint(char);
  return cp !== 0 && cp !== 0xfffd ? (charFlags(cp) & CHAR_REMOVED) !== 0 : CONTROL_RE.test(char);
}

/** BERT `_is_punctuation`: ASCII non-alphanumeric symbols or Unicode category P*. */
export function isPunctuation(char: string): boolean {
  return (charFlags(firstCodePoint(char)) & CHAR_PUNCTUATION) !== 0;
}

/** BERT `_is_chinese_char` for one character. */
export function isChineseChar(char: string): boolean {
  return isChineseCodePoint(firstCodePoint(char));
}
