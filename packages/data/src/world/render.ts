// Fills a template's slots and records where each value and the subject landed, so that salient
// spans are exact char offsets rather than string searches after the fact.
import type { CharSpan } from '@realm/tokenizer';
import type { Relation } from './types.js';

export interface RenderedSentence {
  text: string;
  /** Span of each filled value, [start, end) in `text`. */
  valueSpans: Partial<Record<Relation, CharSpan>>;
  /** Where the subject (name or pronoun) starts in `text`. */
  subjectStart: number;
}

const SLOT = /\{(?:([aA]):)?([a-z_]+)\}/g;

function article(word: string, capital: boolean): string {
  const an = /^[aeiou]/i.test(word);
  if (capital) return an ? 'An' : 'A';
  return an ? 'an' : 'a';
}

/**
 * Renders `pattern` with `subject` for `{s}` and `values` for the value slots. A pronoun subject
 * (`subjectIsPronoun`) is capitalised at the start of the sentence and kept lower case elsewhere.
 * Throws if the pattern names a value that was not supplied.
 */
export function renderTemplate(
  pattern: string,
  subject: string,
  values: Partial<Record<Relation, string>>,
  subjectIsPronoun = false,
): RenderedSentence {
  let text = '';
  let last = 0;
  let subjectStart = -1;
  const valueSpans: Partial<Record<Relation, CharSpan>> = {};
  for (const match of pattern.matchAll(SLOT)) {
    text += pattern.slice(last, match.index);
    last = match.index + match[0].length;
    const [, articleCase, slot] = match;
    if (slot === 's') {
      subjectStart = text.length;
      text += subjectIsPronoun && text.length === 0 ? subject[0].toUpperCase() + subject.slice(1) : subject;
      continue;
    }
    const value = values[slot as Relation];
    if (value === undefined) throw new Error(`renderTemplate: no value for slot {${slot}} in "${pattern}"`);
    if (articleCase !== undefined) text += `${article(value, articleCase === 'A')} `;
    valueSpans[slot as Relation] = { start: text.length, end: text.length + value.length };
    text += value;
  }
  text += pattern.slice(last);
  if (subjectStart < 0) throw new Error(`renderTemplate: pattern has no subject slot {s}: "${pattern}"`);
  return { text, valueSpans, subjectStart };
}
