import { describe, expect, test } from 'vitest';
import { findDateSpans, resolveOverlaps } from './date-patterns.js';

/** Each row: text and the exact date substrings expected, in order (offsets are checked too). */
const CASES: readonly [string, string[]][] = [
  ['He was born on March 3, 1987 in Ohio.', ['March 3, 1987']],
  ['He was born on March 3rd 1987.', ['March 3rd 1987']],
  ['Sept. 11, 2001 changed everything.', ['Sept. 11, 2001']],
  ['On 3 March 1987 it rained.', ['3 March 1987']],
  ['It happened on the 4th of July 1776.', ['4th of July 1776']],
  ['It opened in June 2001 and closed on 2003-05-17.', ['June 2001', '2003-05-17']],
  ['In the 1990s, growth slowed; in the 1880’s it boomed.', ['1990s', '1880’s']],
  ['The war lasted from 1914 to 1918.', ['1914', '1918']],
  ['The reign 1509–1547 ended badly.', ['1509–1547']],
  ['The season 1998-99 was the best.', ['1998-99']],
  ['Agincourt (1415) was decisive.', ['1415']],
  ['Caesar died in 44 BC, and Rome fell in AD 476.', ['44 BC', 'AD 476']],
  ['He met her on May 5 at noon.', ['May 5']],
  ['We meet on 12 May.', ['12 May']],
  ['The company, founded in 1987, has 1500 employees.', ['1987']],
  ['Between 1950 and 1960 the town doubled.', ['1950', '1960']],
  ['By 1500 soldiers had arrived.', []],
  ['In 1987, the $1987 fee was 1987.5 units.', ['1987']],
  ['See page 1987 of the report.', []],
  ['It cost 2,000,000 dollars in 2019-20 money.', ['2019-20']],
  ['The date 2003-13-40 is not a date.', []],
  ['He may go in March.', []],
];

describe('findDateSpans', () => {
  test.each(CASES)('%s', (text, expected) => {
    const spans = findDateSpans(text);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(expected);
    let from = 0;
    expect(spans).toEqual(
      expected.map((sub) => {
        const start = text.indexOf(sub, from);
        from = start + sub.length;
        return { start, end: start + sub.length, label: 'DATE' };
      }),
    );
  });
});

describe('resolveOverlaps', () => {
  test('the longest span wins, then the earliest; output sorted by start', () => {
    expect(
      resolveOverlaps([
        { start: 5, end: 9 },
        { start: 0, end: 4 },
        { start: 3, end: 10 },
        { start: 12, end: 14 },
        { start: 13, end: 15 },
      ]),
    ).toEqual([{ start: 3, end: 10 }, { start: 12, end: 14 }]);
  });
});
