// Tiny REALM configs for unit tests: distinct sizes (as bert/modeling_test.py) so a swapped axis fails.
import type { RealmModelConfigInput } from '../src/realm/config.js';
import { TOY_VOCAB_SIZE } from './toy-world.js';

/** Dims with distinct values: Q 5, C 7, K 3, M 2. */
export const TINY_DIMS = Object.freeze({ querySeqLen: 5, candidateSeqLen: 7, numCandidates: 3, maxMasks: 2 });

export function tinyRealmConfig(overrides: Partial<RealmModelConfigInput> = {}): RealmModelConfigInput {
  const bert = { vocab_size: TOY_VOCAB_SIZE, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 24, max_position_embeddings: 16 };
  return { embedder: bert, reader: { ...bert, hidden_size: 12, intermediate_size: 20 }, projection: { size: 6 }, ...TINY_DIMS, ...overrides };
}
