// TFRecord framing (plain and GZIP, streaming) and tf.train.Example encode/decode. Re-exports only.
export * from './framing.js';
export * from './record-stream.js';
export * from './record-file.js';
export * from './example-schema.js';
export * from './example.js';
export * from './features.js';
export * from './example-json.js';
export * from './example-file.js';
