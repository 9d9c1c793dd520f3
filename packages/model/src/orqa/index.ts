// ORQA open-domain QA fine-tuning: span reader, losses, retrieval + reading, trainer, evaluation, save/load. Re-exports only.
export * from './config.js';
export * from './span-head.js';
export * from './orqa-model.js';
export * from './losses.js';
export * from './eval.js';
export * from './forward.js';
export * from './predict.js';
export * from './trainer.js';
export * from './save.js';
