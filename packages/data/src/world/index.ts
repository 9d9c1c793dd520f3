// The built-in synthetic world (generator, config, templates, file writer). Re-exports only.
export * from './types.js';
export * from './config.js';
export * from './names.js';
export * from './render.js';
export * from './templates.js';
export * from './entities.js';
export * from './documents.js';
export * from './generate.js';
export * from './stats.js';
export * from './write.js';
export * from './realm-corpora.js';
