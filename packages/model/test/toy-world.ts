// A synthetic REALM world for tests: a document is titled by a key token and its body is one value
// token; a query asks "key [MASK]". Values are redrawn for every example, so the masked token can
// only be read off the matching candidate (the null document and the reader's parameters cannot
// know it). The matching document's title is the query's key, so the retriever can learn to find it
// (the reader never sees titles, as in REALM's joint inputs).
import { NULL_CANDIDATE_DOCUMENT, featurizeRealmExample, type CandidateDocument, type RealmExample, type RealmExampleDims } from '@realm/data';
import type { Rng } from '@realm/tokenizer';

export const TOY_IDS = Object.freeze({ pad: 0, cls: 1, sep: 2, mask: 3 });
export const TOY_NUM_KEYS = 30;
export const TOY_NUM_VALUES = 4;
const FIRST_KEY = 4;
const FIRST_VALUE = FIRST_KEY + TOY_NUM_KEYS;
/** Vocabulary: specials, keys, values. */
export const TOY_VOCAB_SIZE = FIRST_VALUE + TOY_NUM_VALUES;

export const keyToken = (key: number): number => FIRST_KEY + key;
export const valueToken = (value: number): number => FIRST_VALUE + value;

/** Dimensions that fit the toy world: query [CLS] k [MASK] [SEP], candidate [CLS] k [SEP] v [SEP]. */
export const TOY_DIMS: RealmExampleDims = Object.freeze({ querySeqLen: 6, candidateSeqLen: 8, numCandidates: 4, maxMasks: 2 });

const randomInt = (rng: Rng, n: number): number => Math.floor(rng.next() * n);

/** `count` distinct integers from [0, n). */
function distinct(rng: Rng, n: number, count: number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + randomInt(rng, n - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

export interface ToyExample {
  example: RealmExample;
  /** Candidate index (1…K−1) of the matching document. */
  goldCandidate: number;
  /** The masked value token. */
  target: number;
}

/**
 * One example: null document first, then K−1 documents with distinct keys (one of them the query's,
 * at a random index), each with a freshly drawn value.
 */
export function toyExample(rng: Rng, dims: RealmExampleDims = TOY_DIMS): ToyExample {
  const K = dims.numCandidates;
  const keys = distinct(rng, TOY_NUM_KEYS, K - 1);
  const goldCandidate = 1 + randomInt(rng, K - 1);
  const queryKey = keys[goldCandidate - 1];
  const values = keys.map(() => randomInt(rng, TOY_NUM_VALUES));
  const documents: CandidateDocument[] = [
    NULL_CANDIDATE_DOCUMENT,
    ...keys.map((key, i) => ({ titleIds: [keyToken(key)], bodyIds: [valueToken(values[i])] })),
  ];
  const target = valueToken(values[goldCandidate - 1]);
  const query = { maskedIds: [keyToken(queryKey), TOY_IDS.mask], mlmPositions: [2], mlmTargets: [target], mlmWeights: [1] };
  return { example: featurizeRealmExample(query, documents, TOY_IDS, dims), goldCandidate, target };
}

export function toyBatch(rng: Rng, size: number, dims: RealmExampleDims = TOY_DIMS): RealmExample[] {
  return Array.from({ length: size }, () => toyExample(rng, dims).example);
}
