// Featurizes one masked REALM query and its K candidate documents into the generator → trainer
// RealmExample (realm-spec §2.4). Ports language/realm/featurization.py:
// Featurizer.featurize_query_and_docs (featurize_query, featurize_document, joint inputs, MLM slots).
import { packCandidate, packJoint, packQuery, type PackedInputs, type PackingIds } from '@realm/tokenizer';
import type { BertInputs, RealmExample, RealmExampleDims } from '../corpus/realm-example.js';

/** The masked query as @realm/tokenizer's createRealmQuery returns it (a MaskedQuery fits). */
export interface RealmQueryFeatures {
  /** The sentence's wordpiece ids after masking, without [CLS]/[SEP]. */
  maskedIds: ArrayLike<number>;
  /** Sentence index + 1 of each predicted piece; 0 in padding slots. */
  mlmPositions: ArrayLike<number>;
  /** Original id of each predicted piece; 0 in padding slots. */
  mlmTargets: ArrayLike<number>;
  /** 1 for a real prediction, 0 for padding (becomes mlm_mask). */
  mlmWeights: ArrayLike<number>;
}

/** A retrievable document as the generator holds it: pre-tokenized title and body ids. */
export interface CandidateDocument {
  titleIds: ArrayLike<number>;
  bodyIds: ArrayLike<number>;
}

/** REALM's null document ∅: no title, no body; it becomes [CLS] [SEP] [SEP]. */
export const NULL_CANDIDATE_DOCUMENT: CandidateDocument = Object.freeze({ titleIds: [], bodyIds: [] });

/** featurization.truncate_or_pad: the first `length` values, padded with 0. */
function truncateOrPad(values: ArrayLike<number>, length: number): Int32Array {
  const out = new Int32Array(length);
  for (let i = 0; i < Math.min(values.length, length); i++) out[i] = values[i];
  return out;
}

/** Stacks K packed sequences of one length into row-major [K, L] BertInputs (batch_namedtuples). */
function stackPacked(rows: readonly PackedInputs[], length: number): BertInputs {
  const tokenIds = new Int32Array(rows.length * length);
  const mask = new Int32Array(rows.length * length);
  const segmentIds = new Int32Array(rows.length * length);
  rows.forEach((row, k) => {
    tokenIds.set(row.tokenIds, k * length);
    mask.set(row.inputMask, k * length);
    segmentIds.set(row.segmentIds, k * length);
  });
  return { tokenIds, mask, segmentIds };
}

/**
 * Builds the RealmExample for a query and exactly `dims.numCandidates` documents (∅ first, as the
 * generator's post-processing puts it):
 * - queryInputs [Q]: [CLS] maskedIds (≤ Q−2) [SEP], all segment 0;
 * - candidateInputs [K, C]: [CLS] title (≤ C−3) [SEP] body (the rest) [SEP], segments 0 then 1;
 * - jointInputs [K, Q+C]: [CLS] maskedIds (≤ Q−2) [SEP] body (≤ C−2) [SEP], title unused, 0 then 1;
 * - mlmPositions/mlmTargets/mlmMask [M]: the query's slots, truncated or 0-padded to M;
 * - candidateLabels [K]: zeros (unused by REALM).
 * Real MLM positions must lie in [1, Q−2] so that they address query wordpieces in both inputs.
 */
export function featurizeRealmExample(
  query: RealmQueryFeatures,
  documents: readonly CandidateDocument[],
  ids: PackingIds,
  dims: RealmExampleDims,
  exportTimestamp = 0,
): RealmExample {
  const { querySeqLen: Q, candidateSeqLen: C, numCandidates: K, maxMasks: M } = dims;
  if (documents.length !== K) {
    throw new Error(`featurizeRealmExample: got ${documents.length} candidate documents; numCandidates is ${K} (null document included)`);
  }
  if (!Number.isInteger(exportTimestamp) || exportTimestamp < 0 || exportTimestamp > 0x7fffffff) {
    throw new Error(`featurizeRealmExample: exportTimestamp must be a non-negative int32 (Unix seconds), got ${exportTimestamp}`);
  }
  const slotLengths = [query.mlmPositions.length, query.mlmTargets.length, query.mlmWeights.length];
  if (new Set(slotLengths).size !== 1) {
    throw new Error(`featurizeRealmExample: mlmPositions, mlmTargets and mlmWeights have different lengths (${slotLengths.join(', ')})`);
  }
  const mlmPositions = truncateOrPad(query.mlmPositions, M);
  const mlmTargets = truncateOrPad(query.mlmTargets, M);
  const mlmMask = truncateOrPad(query.mlmWeights, M);
  for (let j = 0; j < M; j++) {
    if (mlmMask[j] !== 0 && mlmMask[j] !== 1) throw new Error(`featurizeRealmExample: mlmWeights[${j}] is ${mlmMask[j]}; expected 0 or 1`);
    if (mlmMask[j] === 1 && (mlmPositions[j] < 1 || mlmPositions[j] > Q - 2 || mlmPositions[j] > query.maskedIds.length)) {
      throw new Error(
        `featurizeRealmExample: mlmPositions[${j}] = ${mlmPositions[j]} is outside the query's wordpieces ` +
          `[1, ${Math.min(Q - 2, query.maskedIds.length)}] (querySeqLen ${Q}, ${query.maskedIds.length} query wordpieces)`,
      );
    }
  }

  const packedQuery = packQuery(query.maskedIds, ids, Q);
  const queryInputs: BertInputs = { tokenIds: packedQuery.tokenIds, mask: packedQuery.inputMask, segmentIds: packedQuery.segmentIds };
  const candidateInputs = stackPacked(documents.map((doc) => packCandidate(doc.titleIds, doc.bodyIds, ids, C)), C);
  // The reader never sees the title (the paper's join_BERT(x, z_body)).
  const jointInputs = stackPacked(documents.map((doc) => packJoint(query.maskedIds, doc.bodyIds, ids, Q, C)), Q + C);

  return {
    candidateInputs,
    candidateLabels: new Float32Array(K),
    exportTimestamp,
    jointInputs,
    mlmMask,
    mlmPositions,
    mlmTargets,
    queryInputs,
  };
}
