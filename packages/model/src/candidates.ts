// REALM's post-processing of the documents MIPS retrieved for one query: skip the example on
// duplicate uids, drop the query's own source document, put the null document first, keep
// numCandidates. Ports language/realm/example_generator.py: generate_queries_and_candidates'
// duplicate check and postprocess_candidates.

/** Candidate id of the null document ∅ (no title, no body); always at index 0. */
export const NULL_DOCUMENT_ID = -1;

export interface CandidateOptions {
  /** Candidates per example including ∅ (REALM num_candidates, 8). */
  numCandidates?: number;
  /**
   * Retrieved documents sharing a uid: 'skip_example' as REALM (the example is dropped and counted
   * as duplicate_candidates) or 'drop_duplicates' (keep the first, best-scored copy; an extension).
   */
  onDuplicate?: 'skip_example' | 'drop_duplicates';
}

/** The final candidate list of one query. */
export interface Candidates {
  ok: true;
  /** [numCandidates] corpus row ids; [0] is NULL_DOCUMENT_ID. */
  docIds: Int32Array;
  /** [numCandidates] MIPS scores of the kept documents; NaN for ∅ (the trainer recomputes all scores). */
  scores: Float32Array;
  /** Whether the query's own source document was among the retrieved ones and was removed. */
  removedSourceDocument: boolean;
}

export interface CandidatesSkip {
  ok: false;
  reason: 'duplicate_candidates';
  detail: string;
}

export type CandidatesResult = Candidates | CandidatesSkip;

/**
 * Post-processes one query's retrieval, best first. Ids < 0 are MIPS padding ("fewer than k
 * vectors") and are ignored. After the source document is removed at least numCandidates − 1
 * documents must remain: REALM asserts this and crashes otherwise (it never pads or repeats), so
 * this throws. With REALM's k = numCandidates the source document's removal lets the 8th retrieval
 * in; otherwise the 8th is cut.
 */
export function postprocessCandidates(
  retrievedIds: ArrayLike<number>,
  retrievedScores: ArrayLike<number>,
  sourceDocumentUid: string,
  blockUid: (docId: number) => string,
  options: CandidateOptions = {},
): CandidatesResult {
  const numCandidates = options.numCandidates ?? 8;
  const onDuplicate = options.onDuplicate ?? 'skip_example';
  if (!Number.isInteger(numCandidates) || numCandidates < 1) {
    throw new Error(`postprocessCandidates: numCandidates must be a positive integer, got ${numCandidates}`);
  }
  if (retrievedIds.length !== retrievedScores.length) {
    throw new Error(`postprocessCandidates: ${retrievedIds.length} ids but ${retrievedScores.length} scores`);
  }
  const seen = new Map<string, number>();
  const kept: number[] = [];
  let removedSourceDocument = false;
  for (let rank = 0; rank < retrievedIds.length; rank++) {
    const docId = retrievedIds[rank];
    if (docId < 0) continue;
    const uid = blockUid(docId);
    const earlier = seen.get(uid);
    if (earlier !== undefined) {
      if (onDuplicate === 'skip_example') {
        return { ok: false, reason: 'duplicate_candidates', detail: `documents ${earlier} and ${docId} share uid ${uid}` };
      }
      continue;
    }
    seen.set(uid, docId);
    if (uid === sourceDocumentUid) {
      removedSourceDocument = true;
      continue;
    }
    kept.push(rank);
  }
  if (kept.length < numCandidates - 1) {
    throw new Error(
      `postprocessCandidates: only ${kept.length} retrieved documents remain after removing the query's source document; ` +
        `${numCandidates - 1} are needed for ${numCandidates} candidates (retrieve at least numCandidates documents from a corpus that large)`,
    );
  }
  const docIds = new Int32Array(numCandidates);
  const scores = new Float32Array(numCandidates);
  docIds[0] = NULL_DOCUMENT_ID;
  scores[0] = NaN;
  for (let i = 1; i < numCandidates; i++) {
    const rank = kept[i - 1];
    docIds[i] = retrievedIds[rank];
    scores[i] = retrievedScores[rank];
  }
  return { ok: true, docIds, scores, removedSourceDocument };
}

/**
 * `postprocessCandidates` for every query of a MIPS search result (row-major [numQueries, k]
 * `ids` and `scores`, as @realm/mips returns them).
 */
export function postprocessCandidateBatch(
  retrieved: { ids: Int32Array; scores: Float32Array },
  k: number,
  sourceDocumentUids: readonly string[],
  blockUid: (docId: number) => string,
  options: CandidateOptions = {},
): CandidatesResult[] {
  const numQueries = sourceDocumentUids.length;
  if (retrieved.ids.length !== numQueries * k || retrieved.scores.length !== numQueries * k) {
    throw new Error(
      `postprocessCandidateBatch: expected ${numQueries}×${k} = ${numQueries * k} ids and scores, got ${retrieved.ids.length} and ${retrieved.scores.length}`,
    );
  }
  return sourceDocumentUids.map((uid, q) =>
    postprocessCandidates(retrieved.ids.subarray(q * k, (q + 1) * k), retrieved.scores.subarray(q * k, (q + 1) * k), uid, blockUid, options),
  );
}
