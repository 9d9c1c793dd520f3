// @realm/bert: BERT on TensorFlow.js as functions over a named variable tree. Re-exports only.
export * from './config.js';
export * from './random.js';
export * from './layers.js';
export * from './variables.js';
export { attentionMaskBias, selfAttention } from './attention.js';
export { embeddingOutput } from './embeddings.js';
export { transformerLayer, transformerEncoder } from './encoder.js';
export * from './model.js';
export * from './heads.js';
export * from './names.js';
export * from './safetensors.js';
export * from './load.js';
export * from './save.js';
export * from './export-graph-model.js';
