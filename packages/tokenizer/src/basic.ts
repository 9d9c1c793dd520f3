// BERT's basic tokenization (clean, CJK spacing, lower-case + NFD + accent strip, punctuation split)
// with every output character traced back to the ORIGINAL string. Ports google-research/bert
// tokenization.py: BasicTokenizer.tokenize, _clean_text, _tokenize_chinese_chars, _run_strip_accents,
// _run_split_on_punc; the original-token grouping follows ORQA's tokenize_with_original_mapping.
import {
  bmpCharFlags,
  charFlags,
  CHAR_CJK,
  CHAR_NONSPACING_MARK,
  CHAR_PUNCTUATION,
  CHAR_REMOVED,
  CHAR_SPLITS_WORDS,
} from './char-classes.js';

/**
 * Receives the scan's output in text order: original tokens (ORQA's unit: whitespace-delimited
 * words split on punctuation, original spelling) and basic tokens (BERT's output). An original
 * token is always reported before the basic tokens that refer to it.
 */
export interface BasicTokenSink {
  /** An original token: [start, end) in the original string; its index is the call count so far. */
  originalToken?(start: number, end: number): void;
  /**
   * A basic token: its normalized text, its [start, end) in the original string, and the index of
   * the original token it belongs to. When `unitStarts` is null, normalized UTF-16 unit k maps to
   * original unit start + k; otherwise unit k came from original [unitStarts[k], unitEnds[k]).
   */
  basicToken(text: string, start: number, end: number, originalTokenIndex: number, unitStarts: Int32Array | null, unitEnds: Int32Array | null): void;
}

/** One basic token with its provenance (see BasicTokenSink.basicToken). */
export interface BasicToken {
  text: string;
  start: number;
  end: number;
  originalTokenIndex: number;
  unitStarts: Int32Array | null;
  unitEnds: Int32Array | null;
}

/** Reads the code point at i (a surrogate pair counts as one; a lone surrogate as itself). */
function codePointAt(text: string, i: number, n: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/**
 * Runs BERT's BasicTokenizer over `text`, reporting tokens to `sink`. Python iterates code points;
 * so does this scan (surrogate pairs are one character). Removed characters (controls, U+0000,
 * U+FFFD) join their neighbours, exactly as `_clean_text` deleting them does.
 */
export function scanBasicTokens(text: string, doLowerCase: boolean, sink: BasicTokenSink): void {
  const table = bmpCharFlags();
  const n = text.length;
  const state = { originalTokens: 0 };
  let i = 0;
  while (i < n) {
    const cp = codePointAt(text, i, n);
    const width = cp > 0xffff ? 2 : 1;
    const flags = cp < 0x10000 ? table[cp] : charFlags(cp);
    if (flags & (CHAR_SPLITS_WORDS | CHAR_REMOVED)) {
      i += width;
      continue;
    }
    if (flags & CHAR_CJK) {
      // `_tokenize_chinese_chars` puts spaces around each ideograph: a one-character word.
      scanWordSlow(text, i, i + width, doLowerCase, sink, state);
      i += width;
      continue;
    }
    // A word runs until whitespace or a CJK ideograph; note whether it is plain ASCII.
    let j = i;
    let simple = true;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c < 128) {
        const f = table[c];
        if (f & CHAR_SPLITS_WORDS) break;
        if (f & CHAR_REMOVED) simple = false;
        j++;
        continue;
      }
      const wcp = codePointAt(text, j, n);
      const f = wcp < 0x10000 ? table[wcp] : charFlags(wcp);
      if (f & (CHAR_SPLITS_WORDS | CHAR_CJK)) break;
      simple = false;
      j += wcp > 0xffff ? 2 : 1;
    }
    if (simple) scanAsciiWord(text, i, j, doLowerCase, sink, state, table);
    else scanWordSlow(text, i, j, doLowerCase, sink, state);
    i = j;
  }
}

/** Fast path: a printable-ASCII word, where normalization is at most ASCII lower-casing. */
function scanAsciiWord(text: string, start: number, end: number, doLowerCase: boolean, sink: BasicTokenSink, state: { originalTokens: number }, table: Uint8Array): void {
  // No closures here: this runs once per word, and per-call closures cost more than the work.
  let runStart = start;
  let runHasUpper = false;
  for (let k = start; k < end; k++) {
    const c = text.charCodeAt(k);
    if (table[c] & CHAR_PUNCTUATION) {
      if (runStart < k) emitAsciiToken(text, runStart, k, doLowerCase && runHasUpper, sink, state);
      emitAsciiToken(text, k, k + 1, false, sink, state);
      runStart = k + 1;
      runHasUpper = false;
    } else if (c >= 65 && c <= 90) {
      runHasUpper = true;
    }
  }
  if (runStart < end) emitAsciiToken(text, runStart, end, doLowerCase && runHasUpper, sink, state);
}

function emitAsciiToken(text: string, start: number, end: number, lowerCase: boolean, sink: BasicTokenSink, state: { originalTokens: number }): void {
  const piece = text.slice(start, end);
  if (sink.originalToken !== undefined) sink.originalToken(start, end);
  sink.basicToken(lowerCase ? piece.toLowerCase() : piece, start, end, state.originalTokens++, null, null);
}

/** A kept (not removed) character of a word, with its original span and original token. */
interface SourceChar {
  char: string;
  start: number;
  end: number;
  originalToken: number;
}

/** General path: any word. Tracks each normalized UTF-16 unit back to its source character. */
function scanWordSlow(text: string, start: number, end: number, doLowerCase: boolean, sink: BasicTokenSink, state: { originalTokens: number }): void {
  // 1. Clean and group into original tokens (split on punctuation in the original spelling).
  const sources: SourceChar[] = [];
  let openToken = -1;
  let openStart = 0;
  let openEnd = 0;
  const closeOpen = (): void => {
    if (openToken >= 0) sink.originalToken?.(openStart, openEnd);
    openToken = -1;
  };
  for (let k = start; k < end; ) {
    const cp = codePointAt(text, k, end);
    const width = cp > 0xffff ? 2 : 1;
    const flags = charFlags(cp);
    if (!(flags & CHAR_REMOVED)) {
      if (flags & CHAR_PUNCTUATION) {
        closeOpen();
        sink.originalToken?.(k, k + width);
        sources.push({ char: text.slice(k, k + width), start: k, end: k + width, originalToken: state.originalTokens++ });
      } else {
        if (openToken < 0) {
          openToken = state.originalTokens++;
          openStart = k;
        }
        openEnd = k + width;
        sources.push({ char: text.slice(k, k + width), start: k, end: k + width, originalToken: openToken });
      }
    }
    k += width;
  }
  closeOpen();
  if (sources.length === 0) return;

  // 2. Normalize: each source character (or a cluster, see normalizeWord) becomes a piece.
  const pieces = normalizeWord(sources, doLowerCase);

  // 3. Split the normalized characters on punctuation (and, as Python's final split does, whitespace).
  let tokenText = '';
  let unitStarts: number[] = [];
  let unitEnds: number[] = [];
  let tokenOriginal = -1;
  const flush = (): void => {
    if (tokenText.length > 0) {
      sink.basicToken(tokenText, unitStarts[0], unitEnds[unitEnds.length - 1], tokenOriginal, Int32Array.from(unitStarts), Int32Array.from(unitEnds));
    }
    tokenText = '';
    unitStarts = [];
    unitEnds = [];
  };
  const append = (char: string, piece: NormalizedPiece): void => {
    if (tokenText.length === 0) tokenOriginal = piece.originalToken;
    tokenText += char;
    for (let u = 0; u < char.length; u++) {
      unitStarts.push(piece.start);
      unitEnds.push(piece.end);
    }
  };
  for (const piece of pieces) {
    if (piece.text.length === 0 && unitEnds.length > 0) {
      // A stripped accent (e.g. a decomposed U+0301) belongs to the letter before it.
      unitEnds[unitEnds.length - 1] = piece.end;
      continue;
    }
    for (const char of piece.text) {
      const flags = charFlags(char.codePointAt(0) ?? 0);
      if (flags & CHAR_SPLITS_WORDS) {
        flush();
      } else if (flags & CHAR_PUNCTUATION) {
        flush();
        append(char, piece);
        flush();
      } else {
        append(char, piece);
      }
    }
  }
  flush();
}

/** Normalized text from source characters [start, end) of a word. */
interface NormalizedPiece {
  text: string;
  start: number;
  end: number;
  originalToken: number;
}

const STARTS_WITH_MARK_RE = /^\p{M}/u;

/**
 * Applies `_run_strip_accents` (after `lower()`) when lower-casing: per source character where
 * that equals Python's whole-word result, so offsets stay per character. Python lower-cases the
 * whole word (final sigma depends on context) and decomposes the whole word (NFD reorders
 * combining marks, but never across a starter). So: lower-case the word and slice it back per
 * character; then NFD per cluster (a character plus the combining marks after it), and only where
 * a cluster's marks reorder does the cluster become one piece spanning its characters.
 */
function normalizeWord(sources: SourceChar[], doLowerCase: boolean): NormalizedPiece[] {
  const piece = (text: string, from: number, to: number): NormalizedPiece => ({ text, start: sources[from].start, end: sources[to - 1].end, originalToken: sources[from].originalToken });
  if (!doLowerCase) return sources.map((source, k) => piece(source.char, k, k + 1));
  const lowerWord = sources.map((s) => s.char).join('').toLowerCase();
  const lowered = sources.map((s) => s.char.toLowerCase());
  if (lowered.reduce((sum, p) => sum + p.length, 0) !== lowerWord.length) {
    // No such mapping exists in Unicode today; keep the text exact if one appears.
    return [piece(stripNonspacingMarks(lowerWord.normalize('NFD')), 0, sources.length)];
  }
  let offset = 0;
  for (let k = 0; k < lowered.length; k++) lowered[k] = lowerWord.slice(offset, (offset += lowered[k].length));
  const out: NormalizedPiece[] = [];
  let clusterStart = 0;
  for (let k = 1; k <= lowered.length; k++) {
    if (k < lowered.length && STARTS_WITH_MARK_RE.test(lowered[k].normalize('NFD'))) continue;
    const cluster = lowered.slice(clusterStart, k);
    const perChar = cluster.map((c) => c.normalize('NFD'));
    const whole = cluster.join('').normalize('NFD');
    if (perChar.join('') === whole) perChar.forEach((d, i) => out.push(piece(stripNonspacingMarks(d), clusterStart + i, clusterStart + i + 1)));
    else out.push(piece(stripNonspacingMarks(whole), clusterStart, k));
    clusterStart = k;
  }
  return out;
}

function stripNonspacingMarks(piece: string): string {
  let out = '';
  for (const char of piece) {
    if (!(charFlags(char.codePointAt(0) ?? 0) & CHAR_NONSPACING_MARK)) out += char;
  }
  return out;
}

/** BERT's BasicTokenizer: punctuation splitting, lower casing (optional), cleaning. */
export class BasicTokenizer {
  constructor(readonly doLowerCase = true) {}

  /** The token strings, exactly as BERT's `BasicTokenizer.tokenize`. */
  tokenize(text: string): string[] {
    const out: string[] = [];
    scanBasicTokens(text, this.doLowerCase, { basicToken: (token) => void out.push(token) });
    return out;
  }

  /** The tokens with their original-string offsets and original-token indices. */
  tokenizeWithOffsets(text: string): BasicToken[] {
    const out: BasicToken[] = [];
    scanBasicTokens(text, this.doLowerCase, {
      basicToken: (token, start, end, originalTokenIndex, unitStarts, unitEnds) =>
        void out.push({ text: token, start, end, originalTokenIndex, unitStarts, unitEnds }),
    });
    return out;
  }
}
