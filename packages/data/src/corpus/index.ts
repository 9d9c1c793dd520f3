// REALM/ORQA record formats and `corpus build`. Re-exports only.
export * from './blocks.js';
export * from './uid.js';
export * from './records.js';
export * from './realm-example.js';
export * from './input.js';
export * from './build.js';
