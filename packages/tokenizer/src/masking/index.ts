// REALM masking (salient span, random token, random span) and salient-span annotation. Re-exports only.
export * from './config.js';
export * from './masked-query.js';
export * from './salient-span-masking.js';
export * from './random-token-masking.js';
export * from './random-span-masking.js';
export * from './replacement.js';
export * from './realm-record-offsets.js';
export * from './realm-query.js';
export * from './date-patterns.js';
export * from './salient-annotator.js';
export * from './salient-evaluation.js';
