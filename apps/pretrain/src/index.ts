// @realm/pretrain: REALM pre-training as three cooperating programs (example generator, index
// refresher, trainer), the bootstrap that makes the first retriever, and the launcher. Re-exports only.
export * from './config.js';
export * from './layout.js';
export * from './protocol.js';
export * from './queue.js';
export * from './example-stream.js';
export * from './watch.js';
export * from './program.js';
export * from './corpus.js';
export * from './exports.js';
export * from './embedder-io.js';
export * from './bootstrap.js';
export * from './generator.js';
export * from './refresher.js';
export * from './trainer.js';
export * from './launcher.js';
