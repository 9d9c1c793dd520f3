// Parser for Python 3 `re` pattern syntax (str patterns), following CPython 3.11 Lib/re/_parser.py
// (_parse, _parse_sub, _escape, _class_escape, _parse_flags): it accepts what Python accepts and raises
// PythonRegexError where Python raises re.error, so translated CuratedTREC patterns fail exactly when ORQA's do.
import {
  MAXREPEAT,
  PythonRegexError,
  UntranslatableRegexError,
  widthOf,
  type Alternatives,
  type Category,
  type RegexNode,
  type SetItem,
} from './python_regex_ast.js';

export interface ParsedPattern {
  body: Alternatives;
  groupCount: number;
}

interface Flags {
  dotAll: boolean;
  multiline: boolean;
  verbose: boolean;
}

const SPECIAL = new Set('.\\[{()*+?^$|');
const REPEAT_CHARS = new Set('*+?{');
const VERBOSE_WHITESPACE = new Set(' \t\n\r\v\f');
const ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
const CATEGORY_CHARS = new Set('dDsSwW');
const FLAG_CHARS = new Set('iLmsxatu');
const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';
const isOctal = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '7';
const isHex = (ch: string | undefined): boolean => ch !== undefined && /^[0-9a-fA-F]$/.test(ch);
const isAsciiLetter = (ch: string): boolean => /^[A-Za-z]$/.test(ch);
const MAX_CODE_POINT = 0x10ffff;

/** Parses a Python `re` pattern compiled with IGNORECASE | UNICODE | MULTILINE (ORQA's regex_match_score). */
export function parsePythonRegex(pattern: string): ParsedPattern {
  return new PythonRegexParser(pattern).parse();
}

class PythonRegexParser {
  private readonly chars: string[];
  private pos = 0;
  private groupWidths: Array<[number, number] | null> = [null];
  private readonly groupNames = new Map<string, number>();
  private lookbehindDepth = 0;
  private flags: Flags = { dotAll: false, multiline: true, verbose: false };

  constructor(pattern: string) {
    this.chars = Array.from(pattern);
  }

  parse(): ParsedPattern {
    const body = this.parseAlternatives(0);
    if (this.pos < this.chars.length) throw new PythonRegexError('unbalanced parenthesis', this.pos);
    return { body, groupCount: this.groupWidths.length - 1 };
  }

  private get next(): string | undefined {
    return this.chars[this.pos];
  }

  private match(ch: string): boolean {
    if (this.next !== ch) return false;
    this.pos += 1;
    return true;
  }

  private parseAlternatives(nested: number): Alternatives {
    const branches: Alternatives = [this.parseSequence(nested, true)];
    while (this.match('|')) branches.push(this.parseSequence(nested, false));
    return branches;
  }

  private parseSequence(nested: number, firstBranch: boolean): RegexNode[] {
    const items: RegexNode[] = [];
    while (this.pos < this.chars.length && this.next !== '|' && this.next !== ')') {
      const start = this.pos;
      const ch = this.chars[this.pos++];
      if (this.flags.verbose && VERBOSE_WHITESPACE.has(ch)) continue;
      if (this.flags.verbose && ch === '#') {
        while (this.pos < this.chars.length && this.chars[this.pos++] !== '\n');
        continue;
      }
      if (ch === '\\') items.push(this.parseEscape(start));
      else if (!SPECIAL.has(ch)) items.push({ t: 'lit', cp: ch.codePointAt(0)! });
      else if (ch === '[') items.push(this.parseSet(start));
      else if (REPEAT_CHARS.has(ch)) this.parseRepeat(ch, start, items);
      else if (ch === '.') items.push({ t: 'any', dotAll: this.flags.dotAll });
      else if (ch === '^') items.push({ t: 'at', kind: 'bol', multiline: this.flags.multiline });
      else if (ch === '$') items.push({ t: 'at', kind: 'eol', multiline: this.flags.multiline });
      else if (ch === '(') {
        const node = this.parseGroup(start, nested, firstBranch && nested === 0 && items.length === 0);
        if (node) items.push(node);
      }
    }
    return items;
  }

  private parseRepeat(ch: string, start: number, items: RegexNode[]): void {
    let min: number;
    let max: number;
    if (ch === '?') [min, max] = [0, 1];
    else if (ch === '*') [min, max] = [0, MAXREPEAT];
    else if (ch === '+') [min, max] = [1, MAXREPEAT];
    else {
      // '{' is a literal unless it forms {m}, {m,}, {,n} or {m,n}; "{}" is two literals.
      if (this.next === '}') {
        items.push({ t: 'lit', cp: 0x7b });
        return;
      }
      let lo = '';
      let hi = '';
      while (isDigit(this.next)) lo += this.chars[this.pos++];
      if (this.match(',')) while (isDigit(this.next)) hi += this.chars[this.pos++];
      else hi = lo;
      if (!this.match('}')) {
        items.push({ t: 'lit', cp: 0x7b });
        this.pos = start + 1;
        return;
      }
      min = lo ? Number(lo) : 0;
      max = hi ? Number(hi) : MAXREPEAT;
      if ((lo && min >= MAXREPEAT) || (hi && max >= MAXREPEAT)) throw new PythonRegexError('the repetition number is too large', start);
      if (hi && max < min) throw new PythonRegexError('min repeat greater than max repeat', start + 1);
    }
    const item = items.at(-1);
    if (!item || item.t === 'at') throw new PythonRegexError('nothing to repeat', start);
    if (item.t === 'repeat') throw new PythonRegexError('multiple repeat', start);
    let lazy = false;
    if (this.match('?')) lazy = true;
    else if (this.next === '+') throw new UntranslatableRegexError('possessive quantifier (Python 3.11+)', this.pos);
    items[items.length - 1] = { t: 'repeat', min, max, lazy, body: item };
  }

  private parseGroup(start: number, nested: number, atStart: boolean): RegexNode | null {
    let index: number | null = null;
    let name: string | undefined;
    const savedFlags = this.flags;
    if (this.match('?')) {
      const ch = this.chars[this.pos++];
      if (ch === undefined) throw new PythonRegexError('unexpected end of pattern', this.pos);
      if (ch === 'P') {
        if (this.match('<')) {
          name = this.readName('>', 'group name');
        } else if (this.match('=')) {
          const refName = this.readName(')', 'group name');
          const gid = this.groupNames.get(refName);
          if (gid === undefined) throw new PythonRegexError(`unknown group name '${refName}'`, this.pos);
          return this.groupRef(gid, start);
        } else {
          throw new PythonRegexError(`unknown extension ?P${this.next ?? ''}`, start);
        }
      } else if (ch === '#') {
        while (true) {
          if (this.next === undefined) throw new PythonRegexError('missing ), unterminated comment', start);
          if (this.chars[this.pos++] === ')') return null;
        }
      } else if (ch === '=' || ch === '!' || ch === '<') {
        let behind = false;
        let kind = ch;
        if (ch === '<') {
          kind = this.chars[this.pos++];
          if (kind === undefined) throw new PythonRegexError('unexpected end of pattern', this.pos);
          if (kind !== '=' && kind !== '!') throw new PythonRegexError(`unknown extension ?<${kind}`, start);
          behind = true;
        }
        if (behind) this.lookbehindDepth += 1;
        const body = this.parseAlternatives(nested + 1);
        if (behind) this.lookbehindDepth -= 1;
        if (!this.match(')')) throw new PythonRegexError('missing ), unterminated subpattern', start);
        if (behind) {
          const [lo, hi] = widthOf(body, this.groupWidths);
          if (lo !== hi) throw new PythonRegexError('look-behind requires fixed-width pattern');
        }
        return { t: 'look', behind, negate: kind === '!', body };
      } else if (ch === ':') {
        // Non-capturing group.
      } else if (ch === '(') {
        throw new UntranslatableRegexError('conditional group (?(id)yes|no)', start);
      } else if (ch === '>') {
        throw new UntranslatableRegexError('atomic group (Python 3.11+)', start);
      } else if (FLAG_CHARS.has(ch) || ch === '-') {
        const scoped = this.parseFlags(ch, start, atStart);
        if (!scoped) return null;
      } else {
        throw new PythonRegexError(`unknown extension ?${ch}`, start);
      }
    } else {
      index = this.groupWidths.length;
      this.groupWidths.push(null);
    }
    if (name !== undefined) {
      if (index === null) {
        index = this.groupWidths.length;
        this.groupWidths.push(null);
      }
      const previous = this.groupNames.get(name);
      if (previous !== undefined) throw new PythonRegexError(`redefinition of group name '${name}' as group ${index}; was group ${previous}`, start);
      this.groupNames.set(name, index);
    }
    const body = this.parseAlternatives(nested + 1);
    const node: RegexNode = { t: 'group', index, name, body, dotAll: this.flags.dotAll, multiline: this.flags.multiline };
    this.flags = savedFlags;
    if (!this.match(')')) throw new PythonRegexError('missing ), unterminated subpattern', start);
    if (index !== null) this.groupWidths[index] = widthOf(body, this.groupWidths);
    return node;
  }

  /** Handles (?flags) (global, only at the very start) and (?flags-flags:...) (scoped); returns true when scoped. */
  private parseFlags(first: string, start: number, atStart: boolean): boolean {
    const added = new Set<string>();
    const removed = new Set<string>();
    let ch: string | undefined = first;
    if (ch !== '-') {
      while (true) {
        if (ch === 'L') throw new PythonRegexError("bad inline flags: cannot use 'L' flag with a str pattern", start);
        added.add(ch);
        if (added.has('a') && added.has('u')) throw new PythonRegexError("bad inline flags: flags 'a', 'u' and 'L' are incompatible", start);
        ch = this.chars[this.pos++];
        if (ch === undefined) throw new PythonRegexError('missing -, : or )', this.pos);
        if (ch === ')' || ch === '-' || ch === ':') break;
        if (!FLAG_CHARS.has(ch)) throw new PythonRegexError(/\p{L}/u.test(ch) ? 'unknown flag' : 'missing -, : or )', this.pos);
      }
    }
    if (ch === ')') {
      if (!atStart) throw new PythonRegexError('global flags not at the start of the expression', start);
      if (added.has('t')) throw new UntranslatableRegexError('TEMPLATE flag (?t)', start);
      // re.compile raises ValueError("ASCII and UNICODE flags are incompatible"): ORQA passes re.UNICODE.
      if (added.has('a')) throw new PythonRegexError('ASCII and UNICODE flags are incompatible', start);
      this.flags = { ...this.flags, dotAll: this.flags.dotAll || added.has('s'), verbose: this.flags.verbose || added.has('x') };
      return false;
    }
    if (added.has('t')) throw new PythonRegexError('bad inline flags: cannot turn on global flag', start);
    if (ch === '-') {
      ch = this.chars[this.pos++];
      if (ch === undefined) throw new PythonRegexError('missing flag', this.pos);
      if (!FLAG_CHARS.has(ch)) throw new PythonRegexError(/\p{L}/u.test(ch) ? 'unknown flag' : 'missing flag', this.pos);
      while (true) {
        if (ch === 'a' || ch === 'u' || ch === 'L') throw new PythonRegexError("bad inline flags: cannot turn off flags 'a', 'u' and 'L'", start);
        removed.add(ch);
        ch = this.chars[this.pos++];
        if (ch === undefined) throw new PythonRegexError('missing :', this.pos);
        if (ch === ':') break;
        if (!FLAG_CHARS.has(ch)) throw new PythonRegexError(/\p{L}/u.test(ch) ? 'unknown flag' : 'missing :', this.pos);
      }
    }
    if (removed.has('t')) throw new PythonRegexError('bad inline flags: cannot turn off global flag', start);
    for (const flag of added) if (removed.has(flag)) throw new PythonRegexError('bad inline flags: flag turned on and off', start);
    if (added.has('a')) throw new UntranslatableRegexError('ASCII-only scope (?a:...)', start);
    if (removed.has('i')) throw new UntranslatableRegexError('case-sensitive scope (?-i:...) (no JS equivalent in Node 20)', start);
    this.flags = {
      dotAll: added.has('s') ? true : removed.has('s') ? false : this.flags.dotAll,
      multiline: added.has('m') ? true : removed.has('m') ? false : this.flags.multiline,
      verbose: added.has('x') ? true : removed.has('x') ? false : this.flags.verbose,
    };
    return true;
  }

  private readName(terminator: string, what: string): string {
    const start = this.pos;
    let name = '';
    while (true) {
      const ch = this.chars[this.pos++];
      if (ch === undefined) throw new PythonRegexError(name ? `missing ${terminator}, unterminated name` : `missing ${what}`, start);
      if (ch === terminator) break;
      name += ch;
    }
    if (!name) throw new PythonRegexError(`missing ${what}`, start);
    // Python requires str.isidentifier(); this is its ASCII-and-letters approximation (XID_Start XID_Continue*).
    if (!/^[\p{ID_Start}_][\p{ID_Continue}]*$/u.test(name)) throw new PythonRegexError(`bad character in group name '${name}'`, start);
    return name;
  }

  private groupRef(gid: number, start: number): RegexNode {
    if (this.groupWidths[gid] === null) throw new PythonRegexError('cannot refer to an open group', start);
    if (this.lookbehindDepth > 0) throw new UntranslatableRegexError('group reference inside a look-behind', start);
    return { t: 'ref', index: gid };
  }

  private parseEscape(start: number): RegexNode {
    const ch = this.chars[this.pos++];
    if (ch === undefined) throw new PythonRegexError('bad escape (end of pattern)', start);
    if (ch === 'A') return { t: 'at', kind: 'bos', multiline: false };
    if (ch === 'Z') return { t: 'at', kind: 'eos', multiline: false };
    if (ch === 'b') return { t: 'at', kind: 'boundary', multiline: false };
    if (ch === 'B') return { t: 'at', kind: 'nonBoundary', multiline: false };
    if (CATEGORY_CHARS.has(ch)) return { t: 'set', negate: false, items: [{ t: 'cat', cat: ch as Category }] };
    if (ch === '0') {
      let digits = '';
      while (digits.length < 2 && isOctal(this.next)) digits += this.chars[this.pos++];
      return { t: 'lit', cp: parseInt(`0${digits}`, 8) };
    }
    if (isDigit(ch)) {
      let digits = ch;
      if (isDigit(this.next)) {
        digits += this.chars[this.pos++];
        if (isOctal(digits[0]) && isOctal(digits[1]) && isOctal(this.next)) {
          digits += this.chars[this.pos++];
          const value = parseInt(digits, 8);
          if (value > 0o377) throw new PythonRegexError(`octal escape value \\${digits} outside of range 0-0o377`, start);
          return { t: 'lit', cp: value };
        }
      }
      const gid = Number(digits);
      if (gid < this.groupWidths.length) return this.groupRef(gid, start);
      throw new PythonRegexError(`invalid group reference ${gid}`, start + 1);
    }
    return { t: 'lit', cp: this.literalEscape(ch, start) };
  }

  /** Escapes that denote one code point, shared by both contexts (\x, \u, \U, \N, \a..\v, punctuation). */
  private literalEscape(ch: string, start: number): number {
    if (ch in ESCAPES) return ESCAPES[ch];
    const fixedHex = ch === 'x' ? 2 : ch === 'u' ? 4 : ch === 'U' ? 8 : 0;
    if (fixedHex > 0) {
      let digits = '';
      while (digits.length < fixedHex && isHex(this.next)) digits += this.chars[this.pos++];
      if (digits.length !== fixedHex) throw new PythonRegexError(`incomplete escape \\${ch}${digits}`, start);
      const cp = parseInt(digits, 16);
      if (cp > MAX_CODE_POINT) throw new PythonRegexError(`bad escape \\${ch}${digits}`, start);
      return cp;
    }
    if (ch === 'N') throw new UntranslatableRegexError('named character escape \\N{...} (no Unicode name table)', start);
    if (isAsciiLetter(ch)) throw new PythonRegexError(`bad escape \\${ch}`, start);
    return ch.codePointAt(0)!;
  }

  private parseSet(start: number): RegexNode {
    const items: SetItem[] = [];
    const negate = this.match('^');
    while (true) {
      const itemStart = this.pos;
      const ch = this.chars[this.pos++];
      if (ch === undefined) throw new PythonRegexError('unterminated character set', start);
      if (ch === ']' && items.length > 0) break;
      const first = ch === '\\' ? this.parseClassEscape() : ({ t: 'lit', cp: ch.codePointAt(0)! } as SetItem);
      if (this.match('-')) {
        const that = this.chars[this.pos++];
        if (that === undefined) throw new PythonRegexError('unterminated character set', start);
        if (that === ']') {
          items.push(first, { t: 'lit', cp: 0x2d });
          break;
        }
        const thatStart = this.pos - 1;
        const second = that === '\\' ? this.parseClassEscape() : ({ t: 'lit', cp: that.codePointAt(0)! } as SetItem);
        if (first.t !== 'lit' || second.t !== 'lit' || second.cp < first.cp) {
          const text = (from: number, to: number): string => this.chars.slice(from, to).join('');
          throw new PythonRegexError(`bad character range ${text(itemStart, thatStart - 1)}-${text(thatStart, this.pos)}`, itemStart);
        }
        items.push({ t: 'range', lo: first.cp, hi: second.cp });
      } else {
        items.push(first);
      }
    }
    return { t: 'set', negate, items };
  }

  private parseClassEscape(): SetItem {
    const start = this.pos - 1;
    const ch = this.chars[this.pos++];
    if (ch === undefined) throw new PythonRegexError('bad escape (end of pattern)', start);
    if (CATEGORY_CHARS.has(ch)) return { t: 'cat', cat: ch as Category };
    if (isOctal(ch)) {
      let digits = ch;
      while (digits.length < 3 && isOctal(this.next)) digits += this.chars[this.pos++];
      const value = parseInt(digits, 8);
      if (value > 0o377) throw new PythonRegexError(`octal escape value \\${digits} outside of range 0-0o377`, start);
      return { t: 'lit', cp: value };
    }
    if (isDigit(ch)) throw new PythonRegexError(`bad escape \\${ch}`, start);
    return { t: 'lit', cp: this.literalEscape(ch, start) };
  }
}
