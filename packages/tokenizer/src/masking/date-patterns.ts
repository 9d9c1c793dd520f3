// Regular-expression date finder for salient-span annotation. REALM's corpus marked dates with an
// unpublished regex (paper §3.4); these patterns cover the common English forms in Wikipedia prose.
import type { CharSpan } from '../types.js';

const MONTH =
  '(?:January|February|March|April|May|June|July|August|September|October|November|December|' +
  'Jan\\.|Feb\\.|Mar\\.|Apr\\.|Jun\\.|Jul\\.|Aug\\.|Sept\\.|Sep\\.|Oct\\.|Nov\\.|Dec\\.)';
const DAY = '(?:3[01]|[12]\\d|0?[1-9])(?:st|nd|rd|th)?';
/** Four-digit years 1000–2099: the range where a bare number in prose is plausibly a year. */
const YEAR = '(?:1\\d{3}|20\\d{2})';
/** Not glued to more digits (also via a separator: "1987.5", "2003-13-40"), or to a letter. */
const NUMBER_END = '(?![\\d,./-]\\d|\\w)';
const NUMBER_START = '(?<![\\w$€£.,-])';

/**
 * Words after which a bare four-digit number is read as a year ("in 1987", "between 1914 and").
 * "of" is deliberately absent ("of 1500 soldiers" is a count more often than a date).
 */
const YEAR_CONTEXT =
  '(?:[Ii]n|[Ss]ince|[Bb]y|[Uu]ntil|[Tt]ill|[Ff]rom|[Dd]uring|[Bb]efore|[Aa]fter|[Aa]round|[Cc]irca|c\\.|ca\\.|' +
  'to|through|[Bb]etween|and|or|[Ee]arly|[Ll]ate|[Mm]id|year|[Bb]orn|died|founded|established|' +
  'spring|summer|autumn|fall|winter|[Ss]pring of|[Ss]ummer of|[Aa]utumn of|[Ff]all of|[Ww]inter of)';
/** Counted nouns that make "by 1500 soldiers" a number, not a year. */
const COUNT_NOUN =
  '(?:people|persons|men|women|children|soldiers|troops|votes|students|members|residents|inhabitants|copies|' +
  'units|years|days|miles|kilometres|kilometers|km|metres|meters|m|feet|ft|tons|tonnes|dollars|euros|pounds|points|times|%|percent)';

interface DatePattern {
  name: string;
  regex: RegExp;
}

/** Every pattern; overlaps are resolved by `findDateSpans` (longest wins). */
export const DATE_PATTERNS: readonly DatePattern[] = [
  { name: 'iso', regex: new RegExp(`${NUMBER_START}${YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])${NUMBER_END}`, 'g') },
  { name: 'month-day-year', regex: new RegExp(`\\b${MONTH}\\s+${DAY},?\\s+${YEAR}${NUMBER_END}`, 'g') },
  { name: 'day-month-year', regex: new RegExp(`${NUMBER_START}\\b${DAY}\\s+(?:of\\s+)?${MONTH},?\\s+${YEAR}${NUMBER_END}`, 'g') },
  { name: 'month-year', regex: new RegExp(`\\b${MONTH},?\\s+${YEAR}${NUMBER_END}`, 'g') },
  { name: 'month-day', regex: new RegExp(`\\b${MONTH}\\s+${DAY}${NUMBER_END}(?!,?\\s+\\d)`, 'g') },
  { name: 'day-month', regex: new RegExp(`${NUMBER_START}\\b${DAY}\\s+(?:of\\s+)?${MONTH}(?![\\w])`, 'g') },
  { name: 'decade', regex: new RegExp(`${NUMBER_START}\\b(?:1\\d|20)\\d0(?:s|'s|’s)(?!\\w)`, 'g') },
  {
    name: 'year-range',
    regex: new RegExp(`${NUMBER_START}\\b${YEAR}\\s?[–—-]\\s?(?:${YEAR}|\\d{2})${NUMBER_END}`, 'g'),
  },
  { name: 'parenthesized-year', regex: new RegExp(`(?<=\\()${YEAR}(?=\\))`, 'g') },
  { name: 'era-year', regex: new RegExp(`${NUMBER_START}\\b(?:\\d{1,4}\\s?(?:BC|BCE|AD|CE)|(?:AD|CE)\\s?\\d{1,4})(?!\\w)`, 'g') },
  {
    name: 'year-in-context',
    regex: new RegExp(`(?<=\\b${YEAR_CONTEXT}\\s)${YEAR}${NUMBER_END}(?!\\s+${COUNT_NOUN}(?!\\w))`, 'g'),
  },
];

/**
 * Finds date spans (label 'DATE') in `text`, sorted by start. Where patterns overlap, the longest
 * match wins (earliest on ties), so "March 3, 1987" is one span rather than "March 3" + "1987".
 */
export function findDateSpans(text: string): CharSpan[] {
  const matches: CharSpan[] = [];
  for (const { regex } of DATE_PATTERNS) {
    regex.lastIndex = 0;
    for (const m of text.matchAll(regex)) matches.push({ start: m.index, end: m.index + m[0].length, label: 'DATE' });
  }
  return resolveOverlaps(matches);
}

/** Keeps a maximal set of non-overlapping spans, preferring longer ones, then earlier ones; sorted by start. */
export function resolveOverlaps(spans: readonly CharSpan[]): CharSpan[] {
  const byPreference = [...spans].sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: CharSpan[] = [];
  for (const span of byPreference) {
    if (kept.every((k) => span.end <= k.start || span.start >= k.end)) kept.push(span);
  }
  return kept.sort((a, b) => a.start - b.start || a.end - b.end);
}
