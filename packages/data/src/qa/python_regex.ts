// Translates a Python `re` pattern (compiled by ORQA with IGNORECASE | UNICODE | MULTILINE) into an
// equivalent JavaScript RegExp with flags 'iuy', and matches it the way Python's `regex.match(text)` does:
// anchored at the start of the text, not required to reach its end (eval_utils.regex_match_score).
import {
  MAXREPEAT,
  PythonRegexError,
  UntranslatableRegexError,
  type Alternatives,
  type RegexNode,
  type SetItem,
} from './python_regex_ast.js';
import { parsePythonRegex } from './python_regex_parse.js';

export { PythonRegexError, UntranslatableRegexError } from './python_regex_ast.js';

// Python's Unicode \w is str.isalnum() or '_' = [\p{L}\p{N}_] (equal on every code point of Python 3.11's
// Unicode 14 database). Known gap: under JS 'iu', U+0345 (combining ypogegrammeni, folds to ι) also counts.
const WORD_CLASS_BODY = '\\p{L}\\p{N}_';
const WORD = `[${WORD_CLASS_BODY}]`;
// Python's \s = str.isspace(), the same set as PYTHON_WHITESPACE, written as ranges.
const SPACE_CLASS_BODY = '\\u{9}-\\u{d}\\u{1c}-\\u{20}\\u{85}\\u{a0}\\u{1680}\\u{2000}-\\u{200a}\\u{2028}\\u{2029}\\u{202f}\\u{205f}\\u{3000}';
// Python's IGNORECASE equates i, I, İ (U+0130) and ı (U+0131) (simple lower() and re's case fixes);
// JS case folding does not, so any of the four is emitted as the whole family.
const I_FAMILY = [0x69, 0x49, 0x130, 0x131];
const I_FAMILY_CLASS_BODY = 'iI\\u{130}\\u{131}';

const ANCHORS: Record<string, string> = {
  // MULTILINE ^: start of text or just after '\n' (only '\n' is a line break for Python's sre).
  bolMultiline: '(?<![^\\n])',
  bol: '(?<![\\s\\S])',
  // MULTILINE $: end of text or just before '\n'; without MULTILINE also before a final '\n'.
  eolMultiline: '(?![^\\n])',
  eol: '(?=\\n?(?![\\s\\S]))',
  bos: '(?<![\\s\\S])',
  eos: '(?![\\s\\S])',
  boundary: `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`,
  nonBoundary: `(?:(?<=${WORD})(?=${WORD})|(?<!${WORD})(?!${WORD}))`,
};

function codePointEscape(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

function isPlainAlnum(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
}

// Literals are written as \u{...} unless ASCII alphanumeric, so no Python escape (\- \, \' ...) reaches
// the JS parser, which rejects identity escapes of non-syntax characters under the 'u' flag.
function emitLiteral(cp: number): string {
  if (I_FAMILY.includes(cp)) return `[${I_FAMILY_CLASS_BODY}]`;
  return isPlainAlnum(cp) ? String.fromCodePoint(cp) : codePointEscape(cp);
}

function classLiteral(cp: number): string {
  return isPlainAlnum(cp) ? String.fromCodePoint(cp) : codePointEscape(cp);
}

/** Emits a Python character set; \S and \W inside a set have no 'u'-mode class syntax, so they become alternatives. */
function emitSet(negate: boolean, items: SetItem[]): string {
  let positive = '';
  let needsIFamily = false;
  const complements: string[] = [];
  for (const item of items) {
    if (item.t === 'lit') {
      positive += classLiteral(item.cp);
      if (I_FAMILY.includes(item.cp)) needsIFamily = true;
    } else if (item.t === 'range') {
      positive += `${classLiteral(item.lo)}-${classLiteral(item.hi)}`;
      if (I_FAMILY.some((cp) => cp >= item.lo && cp <= item.hi)) needsIFamily = true;
    } else if (item.cat === 'd') positive += '\\p{Nd}';
    else if (item.cat === 'D') positive += '\\P{Nd}';
    else if (item.cat === 'w') positive += WORD_CLASS_BODY;
    else if (item.cat === 's') positive += SPACE_CLASS_BODY;
    else if (item.cat === 'W') complements.push(WORD_CLASS_BODY);
    else complements.push(SPACE_CLASS_BODY);
  }
  if (needsIFamily) positive += I_FAMILY_CLASS_BODY;
  if (!negate) {
    const parts = [...(positive ? [`[${positive}]`] : []), ...complements.map((body) => `[^${body}]`)];
    return parts.length === 1 ? parts[0] : `(?:${parts.join('|')})`;
  }
  if (complements.length === 0) return `[^${positive}]`;
  // Not in (positive ∪ complement(A) ∪ ...) = not in positive, and in every A.
  const notPositive = positive ? `(?![${positive}])` : '';
  return `(?:${notPositive}${complements.map((body) => `(?=[${body}])`).join('')}[\\s\\S])`;
}

function emitAlternatives(body: Alternatives): string {
  return body.map((branch) => branch.map(emitNode).join('')).join('|');
}

function emitQuantifier(min: number, max: number): string {
  const unbounded = max >= MAXREPEAT;
  if (min === 0 && unbounded) return '*';
  if (min === 1 && unbounded) return '+';
  if (min === 0 && max === 1) return '?';
  if (unbounded) return `{${min},}`;
  return min === max ? `{${min}}` : `{${min},${max}}`;
}

function emitNode(node: RegexNode): string {
  switch (node.t) {
    case 'lit':
      return emitLiteral(node.cp);
    case 'any':
      // Python's '.' excludes only '\n' (JS '.' also excludes '\r', U+2028, U+2029).
      return node.dotAll ? '[\\s\\S]' : '[^\\n]';
    case 'set':
      return emitSet(node.negate, node.items);
    case 'at':
      if (node.kind === 'bol') return node.multiline ? ANCHORS.bolMultiline : ANCHORS.bol;
      if (node.kind === 'eol') return node.multiline ? ANCHORS.eolMultiline : ANCHORS.eol;
      return ANCHORS[node.kind];
    case 'group': {
      const open = node.index === null ? '(?:' : node.name !== undefined ? `(?<${node.name}>` : '(';
      return `${open}${emitAlternatives(node.body)})`;
    }
    case 'look':
      return `(?${node.behind ? '<' : ''}${node.negate ? '!' : '='}${emitAlternatives(node.body)})`;
    case 'ref':
      // Wrapped so a following literal digit is never read as part of the group number.
      return `(?:\\${node.index})`;
    case 'repeat': {
      // JS forbids quantifying a look-around directly under 'u'; Python allows it.
      const body = node.body.t === 'look' ? `(?:${emitNode(node.body)})` : emitNode(node.body);
      return `${body}${emitQuantifier(node.min, node.max)}${node.lazy ? '?' : ''}`;
    }
  }
}

/** The JavaScript source (for flags 'iuy') equivalent to a Python pattern; throws the parse errors. */
export function translatePythonRegex(pattern: string): string {
  return emitAlternatives(parsePythonRegex(pattern).body);
}

export type CompiledPythonRegex =
  | { ok: true; regex: RegExp; source: string }
  | { ok: false; reason: 'python-error' | 'untranslatable'; message: string };

/** re.compile(pattern, IGNORECASE | UNICODE | MULTILINE) in JS terms, reporting why a pattern cannot be used. */
export function compilePythonRegex(pattern: string): CompiledPythonRegex {
  let source: string;
  try {
    source = translatePythonRegex(pattern);
  } catch (error) {
    if (error instanceof PythonRegexError) return { ok: false, reason: 'python-error', message: error.message };
    if (error instanceof UntranslatableRegexError) return { ok: false, reason: 'untranslatable', message: error.message };
    throw error;
  }
  try {
    return { ok: true, regex: new RegExp(source, 'iuy'), source };
  } catch (error) {
    return { ok: false, reason: 'untranslatable', message: `JS rejected the translation: ${(error as Error).message}` };
  }
}

/** Python `regex.match(text) is not None`: a match starting at index 0 (sticky), any length. */
export function pythonRegexMatches(regex: RegExp, text: string): boolean {
  regex.lastIndex = 0;
  return regex.test(text);
}
