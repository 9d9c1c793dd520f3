// ICT (ORQA's Inverse Cloze Task) warm start of the REALM retriever. Re-exports only.
export * from './config.js';
export * from './examples.js';
export * from './ict-model.js';
export * from './train.js';
export * from './eval.js';
