// @realm/tokenizer: BERT WordPiece tokenization, packing, salient spans and masking. Re-exports only.
export * from './rng.js';
export * from './types.js';
export * from './masking/index.js';
export * from './char-classes.js';
export * from './vocab.js';
export * from './basic.js';
export * from './wordpiece.js';
export * from './full-tokenizer.js';
export * from './orqa-mapping.js';
export * from './offsets.js';
export * from './packing.js';
export * from './vocab-builder.js';
export * from './wordpiece-trainer.js';
