// Open-domain QA data (NQ-open, WebQuestions, CuratedTREC), ORQA's re-split and ORQA's evaluation. Re-exports only.
export * from './fingerprint64.js';
export * from './qa_files.js';
export * from './resplit.js';
export * from './normalize_answer.js';
export * from './python_regex.js';
export * from './orqa_eval.js';
