// The syntax tree and error types shared by the Python `re` parser and the JS emitter, plus the
// pattern width rule look-behinds need (CPython 3.11 Lib/re/_parser.py SubPattern.getwidth).

/** sre's MAXREPEAT: an unbounded repeat's max. */
export const MAXREPEAT = 4294967295;

/** A pattern Python itself rejects (re.error, or the ValueError/OverflowError re.compile can raise). */
export class PythonRegexError extends Error {
  constructor(message: string, readonly position?: number) {
    super(position === undefined ? message : `${message} at position ${position}`);
    this.name = 'PythonRegexError';
  }
}

/** A pattern Python accepts but that has no faithful JavaScript translation here (counted as a failed compile). */
export class UntranslatableRegexError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} at position ${position}`);
    this.name = 'UntranslatableRegexError';
  }
}

export type Category = 'd' | 'D' | 's' | 'S' | 'w' | 'W';
export type SetItem = { t: 'lit'; cp: number } | { t: 'range'; lo: number; hi: number } | { t: 'cat'; cat: Category };
export type AnchorKind = 'bol' | 'eol' | 'bos' | 'eos' | 'boundary' | 'nonBoundary';
export type Alternatives = RegexNode[][];
export type RegexNode =
  | { t: 'lit'; cp: number }
  | { t: 'any'; dotAll: boolean }
  | { t: 'set'; negate: boolean; items: SetItem[] }
  | { t: 'at'; kind: AnchorKind; multiline: boolean }
  | { t: 'group'; index: number | null; name?: string; body: Alternatives; dotAll: boolean; multiline: boolean }
  | { t: 'look'; behind: boolean; negate: boolean; body: Alternatives }
  | { t: 'ref'; index: number }
  | { t: 'repeat'; min: number; max: number; lazy: boolean; body: RegexNode };

/** (min, max) match width in code points, as _parser.SubPattern.getwidth computes it (MAXREPEAT = unbounded). */
export function widthOf(body: Alternatives, groupWidths: Array<[number, number] | null>): [number, number] {
  let lo = Infinity;
  let hi = 0;
  for (const branch of body) {
    let branchLo = 0;
    let branchHi = 0;
    for (const node of branch) {
      const [l, h] = nodeWidth(node, groupWidths);
      branchLo += l;
      branchHi += h;
    }
    lo = Math.min(lo, branchLo);
    hi = Math.max(hi, branchHi);
  }
  return [Math.min(lo, MAXREPEAT - 1), Math.min(hi, MAXREPEAT)];
}

function nodeWidth(node: RegexNode, groupWidths: Array<[number, number] | null>): [number, number] {
  switch (node.t) {
    case 'lit':
    case 'any':
    case 'set':
      return [1, 1];
    case 'at':
    case 'look':
      return [0, 0];
    case 'group':
      return widthOf(node.body, groupWidths);
    case 'ref':
      return groupWidths[node.index] ?? [0, MAXREPEAT];
    case 'repeat': {
      const [l, h] = nodeWidth(node.body, groupWidths);
      return [l * node.min, h * node.max];
    }
  }
}
