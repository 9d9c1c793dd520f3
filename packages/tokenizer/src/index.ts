// @realm/tokenizer: BERT WordPiece tokenization, packing, salient spans and masking. Re-exports only.
export * from './rng.js';
export * from './types.js';
export * from './masking/index.js';
