// Salient-span annotation of raw text so users can pre-train REALM on their own corpus: named
// entities (PERSON, PLACE, ORG) from the `compromise` NLP library plus regex dates, and sentence
// boundaries, all in UTF-16 char offsets. Stands in for REALM's unreleased CoNLL tagger + date regex.
import type nlp from 'compromise';

// compromise takes ~0.4 s to load, so it is imported on demand: importing @realm/tokenizer (and
// everything built on it) stays fast for the many programs that never annotate raw text.
let compromise: typeof nlp | undefined;

/** Loads the entity tagger once; call (and await) it before annotateSalientSpans. */
export async function loadSalientAnnotator(): Promise<void> {
  compromise ??= (await import('compromise')).default;
}
import type { CharSpan } from '../types.js';
import { findDateSpans, resolveOverlaps } from './date-patterns.js';

export type SalientLabel = 'PERSON' | 'PLACE' | 'ORG' | 'DATE';

/** Sentences and de-overlapped salient spans of one text, both sorted by start. */
export interface SalientAnnotation {
  sentences: CharSpan[];
  spans: CharSpan[];
}

/** The part of compromise's term JSON (`json({offset: true, terms: {offset: true}})`) we read. */
interface TermJson {
  text: string;
  pre: string;
  post: string;
  tags: string[];
  offset: { start: number; length: number };
}
interface MatchJson {
  terms: TermJson[];
}

type Doc = ReturnType<typeof nlp>;
/** Any compromise view; we only read its JSON. */
interface JsonView {
  json(options: object): unknown;
}

const ENTITY_SELECTORS: readonly { label: SalientLabel; select: (doc: Doc) => JsonView }[] = [
  { label: 'PERSON', select: (doc) => doc.people() },
  { label: 'PLACE', select: (doc) => doc.places() },
  { label: 'ORG', select: (doc) => doc.organizations() },
];

/** Punctuation between two terms that separates two entities ("Honolulu, Hawaii" is two places). */
const ENTITY_BREAK = /[,;:()[\]"“”/]|\s[–—-]\s/;
const POSSESSIVE = /['’]s$/;
const STARTS_UPPER = /^[\p{Lu}\p{Lt}\d]/u;

/** Turns one compromise match into spans: no honorific prefix, split at commas, no possessive 's. */
function entitySpans(match: MatchJson, label: SalientLabel): CharSpan[] {
  const terms = match.terms.filter((t) => t.offset !== undefined);
  let first = 0;
  // Titles are context, not the name: "President Joe Biden" → "Joe Biden" (CoNLL convention).
  while (first < terms.length - 1 && terms[first].tags.includes('Honorific')) first++;
  const groups: TermJson[][] = [];
  for (let i = first; i < terms.length; i++) {
    const previous = groups[groups.length - 1];
    const broken = previous !== undefined && ENTITY_BREAK.test(previous[previous.length - 1].post + terms[i].pre);
    if (previous === undefined || broken) groups.push([terms[i]]);
    else previous.push(terms[i]);
  }
  const spans: CharSpan[] = [];
  for (const whole of groups) {
    // A name starts and ends with a capitalized word: "northern China" → "China", "person" → none.
    let lo = 0;
    let hi = whole.length;
    while (lo < hi && !STARTS_UPPER.test(whole[lo].text)) lo++;
    while (hi > lo && !STARTS_UPPER.test(whole[hi - 1].text)) hi--;
    const group = whole.slice(lo, hi);
    if (group.length === 0) continue;
    const head = group[0];
    const last = group[group.length - 1];
    const start = head.offset.start;
    let end = last.offset.start + last.offset.length;
    if (POSSESSIVE.test(last.text)) end -= 2;
    // Keep the dot of a trailing abbreviation ("Apple Inc.", "Acme Co.").
    else if (last.tags.includes('Abbreviation') && last.post.startsWith('.')) end += 1;
    if (end > start) spans.push({ start, end, label });
  }
  return spans;
}

/** Sentence spans from compromise: from the opening punctuation of the first term to the closing punctuation of the last. */
function sentenceSpans(doc: Doc): CharSpan[] {
  const sentences: CharSpan[] = [];
  for (const sentence of doc.sentences().json({ offset: true, terms: { offset: true } }) as MatchJson[]) {
    const terms = sentence.terms.filter((t) => t.offset !== undefined);
    if (terms.length === 0) continue;
    const head = terms[0];
    const last = terms[terms.length - 1];
    const opening = /\S*$/.exec(head.pre)?.[0].length ?? 0;
    const closing = /^\S*/.exec(last.post)?.[0].length ?? 0;
    sentences.push({ start: head.offset.start - opening, end: last.offset.start + last.offset.length + closing });
  }
  return sentences;
}

/**
 * Annotates `text`: compromise sentences and entities plus regex dates. Dates win over entities
 * they overlap (compromise reads "August" in "August 4, 1961" as a name); among entities the
 * longer span wins. Spans are sorted by start and never overlap.
 */
export function annotateSalientSpans(text: string): SalientAnnotation {
  if (typeof text !== 'string') throw new Error(`annotateSalientSpans: text must be a string, got ${typeof text}`);
  if (text.trim() === '') return { sentences: [], spans: [] };
  if (!compromise) throw new Error('annotateSalientSpans: the entity tagger is not loaded; `await loadSalientAnnotator()` once first');
  const doc = compromise(text);
  const dates = findDateSpans(text);
  const entities: CharSpan[] = [];
  for (const { label, select } of ENTITY_SELECTORS) {
    for (const match of select(doc).json({ offset: true, terms: { offset: true } }) as MatchJson[]) {
      entities.push(...entitySpans(match, label));
    }
  }
  const undated = entities.filter((e) => dates.every((d) => e.end <= d.start || e.start >= d.end));
  const spans = [...dates, ...resolveOverlaps(undated)].sort((a, b) => a.start - b.start || a.end - b.end);
  return { sentences: sentenceSpans(doc), spans };
}
