// REALM: retriever + knowledge-augmented encoder, training step, checkpoints and exports. Re-exports only.
export * from './config.js';
export * from './realm-model.js';
export * from './batch.js';
export * from './forward.js';
export * from './embed.js';
export * from './step-random.js';
export * from './trainer.js';
export * from './checkpoint.js';
export * from './export.js';
