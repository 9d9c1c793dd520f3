// @realm/model: REALM/ORQA losses, metrics, BERT's optimizer and schedule, candidates, configs. Re-exports only.
export * from './losses.js';
export * from './metrics.js';
export * from './schedule.js';
export * from './optimizer.js';
export * from './candidates.js';
export * from './config.js';
export * from './realm/index.js';
export * from './ict/index.js';
export * from './reader-mlm/index.js';
export * from './orqa/index.js';
export { readStateCheckpoint } from './checkpoint-io.js';
