// @realm/data: everything that reads or writes bytes. Re-exports only.
export * from './formats/crc32c.js';
export * from './tfrecord/index.js';
export * from './checkpoint/index.js';
export * from './storage/index.js';
export * from './qa/index.js';
export * from './corpus/index.js';
export * from './world/index.js';
export * from './events/index.js';
export * from './featurize/index.js';
