import { describe, expect, test } from 'vitest';
import { NULL_DOCUMENT_ID, postprocessCandidateBatch, postprocessCandidates } from './candidates.js';

// Corpus rows 0..9 with uids u0..u9, except row 7 duplicates row 3 (same title and body).
const uidOf = (id: number): string => (id === 7 ? 'u3' : `u${id}`);
const scoresFor = (ids: number[]): Float32Array => Float32Array.from(ids, (_, rank) => 10 - rank);

describe('postprocessCandidates (example_generator.postprocess_candidates)', () => {
  test('without the source document among them: ∅ first, then the 7 best, the 8th cut', () => {
    const ids = [5, 2, 9, 0, 1, 4, 6, 8];
    const result = postprocessCandidates(Int32Array.from(ids), scoresFor(ids), 'u-elsewhere', uidOf);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Array.from(result.docIds)).toEqual([NULL_DOCUMENT_ID, 5, 2, 9, 0, 1, 4, 6]);
    expect(Array.from(result.scores)).toEqual([NaN, 10, 9, 8, 7, 6, 5, 4]);
    expect(result.removedSourceDocument).toBe(false);
  });

  test('the trivial retrieval (the query\'s own document) is dropped, letting the 8th in', () => {
    const ids = [5, 2, 9, 0, 1, 4, 6, 8];
    const result = postprocessCandidates(Int32Array.from(ids), scoresFor(ids), 'u9', uidOf);
    expect(result.ok && Array.from(result.docIds)).toEqual([NULL_DOCUMENT_ID, 5, 2, 0, 1, 4, 6, 8]);
    expect(result.ok && Array.from(result.scores)).toEqual([NaN, 10, 9, 7, 6, 5, 4, 3]);
    expect(result.ok && result.removedSourceDocument).toBe(true);
  });

  test('duplicate uids skip the whole example, as REALM counts duplicate_candidates', () => {
    const ids = [3, 2, 7, 0, 1, 4, 6, 8];
    expect(postprocessCandidates(Int32Array.from(ids), scoresFor(ids), 'u-elsewhere', uidOf)).toEqual({
      ok: false,
      reason: 'duplicate_candidates',
      detail: 'documents 3 and 7 share uid u3',
    });
  });

  test("'drop_duplicates' keeps the first copy instead (an extension)", () => {
    const ids = [3, 2, 7, 0, 1, 4, 6, 8, 9];
    const result = postprocessCandidates(Int32Array.from(ids), scoresFor(ids), 'u0', uidOf, { onDuplicate: 'drop_duplicates' });
    expect(result.ok && Array.from(result.docIds)).toEqual([NULL_DOCUMENT_ID, 3, 2, 1, 4, 6, 8, 9]);
  });

  test('other sizes: numCandidates 4 from 4 retrieved', () => {
    const ids = [1, 2, 3, 4];
    const result = postprocessCandidates(Int32Array.from(ids), scoresFor(ids), 'u2', uidOf, { numCandidates: 4 });
    expect(result.ok && Array.from(result.docIds)).toEqual([NULL_DOCUMENT_ID, 1, 3, 4]);
  });

  test('too few documents (MIPS padding with −1) is an error, as REALM asserts ≥ numCandidates − 1', () => {
    const ids = [4, 2, 5, -1, -1, -1, -1, -1];
    expect(() => postprocessCandidates(Int32Array.from(ids), scoresFor(ids), 'u2', uidOf)).toThrow(
      "postprocessCandidates: only 2 retrieved documents remain after removing the query's source document; 7 are needed for 8 candidates (retrieve at least numCandidates documents from a corpus that large)",
    );
  });
});

describe('postprocessCandidateBatch', () => {
  test('splits a row-major [numQueries, k] search result per query', () => {
    const ids = Int32Array.from([1, 2, 3, 4, 3, 7, 5, 6, 8, 9, 0, 1]);
    const scores = Float32Array.from(ids, (_, i) => 100 - i);
    const results = postprocessCandidateBatch({ ids, scores }, 4, ['u1', 'u-none', 'u-none'], uidOf, { numCandidates: 4 });
    expect(results.map((r) => (r.ok ? Array.from(r.docIds) : r.reason))).toEqual([
      [NULL_DOCUMENT_ID, 2, 3, 4],
      'duplicate_candidates',
      [NULL_DOCUMENT_ID, 8, 9, 0],
    ]);
    expect(results[2].ok && Array.from(results[2].scores)).toEqual([NaN, 92, 91, 90]);
    expect(() => postprocessCandidateBatch({ ids, scores }, 5, ['u1', 'u2'], uidOf)).toThrow(
      'postprocessCandidateBatch: expected 2×5 = 10 ids and scores, got 12 and 12',
    );
  });
});
