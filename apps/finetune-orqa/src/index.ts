// @realm/finetune-orqa: ORQA fine-tuning and evaluation from a REALM pre-training run, `ask`, and
// knowledge-base updates (index add/remove), thin over the realm-ts packages. Re-exports only.
export * from './backend.js';
export * from './blocks.js';
export * from './config.js';
export * from './datasets.js';
export * from './evaluate.js';
export * from './ask.js';
export * from './index-update.js';
export * from './kb-target.js';
export * from './knowledge-base.js';
export * from './layout.js';
export * from './model-io.js';
export * from './resume.js';
export * from './train.js';
export * from './run-eval.js';
export * from './google-init.js';
