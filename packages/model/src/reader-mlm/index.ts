// Masked-LM warm start of the REALM reader (the BERT pre-training REALM starts from). Re-exports only.
export * from './config.js';

export * from './train.js';
