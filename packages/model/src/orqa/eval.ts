// ORQA evaluation helpers over plain values: which blocks contain an answer, top-k retrieval recall,
// the reader oracle and exact match. Ports language/orqa/ops/orqa_ops.cc: HasAnswer and
// language/orqa/models/orqa_model.py: compute_eval_metrics (with @realm/data's eval_utils port).
import { compilePythonRegex, isCorrect, normalizeAnswer } from '@realm/data';
import type { OrqaAnswerMatcher } from './config.js';

/**
 * ORQA's HasAnswer: the block contains some answer as a raw substring (case-sensitive, no
 * normalisation, may fire inside a word). As in the C++ op, an empty answer matches every block.
 */
export function hasAnswerSubstring(blockText: string, answers: readonly string[]): boolean {
  return answers.some((answer) => blockText.includes(answer));
}

/** `needle` occurs as consecutive elements of `haystack`. */
function containsSequence(haystack: readonly string[], needle: readonly string[]): boolean {
  for (let s = 0; s + needle.length <= haystack.length; s++) {
    let k = 0;
    while (k < needle.length && haystack[s + k] === needle[k]) k++;
    if (k === needle.length) return true;
  }
  return false;
}

/**
 * DPR-style has_answer on ORQA's normalisation: some answer, normalised (lower case, no ASCII
 * punctuation, no articles, collapsed whitespace), occurs as whole consecutive tokens of the
 * normalised block. Answers that normalise to nothing never match.
 */
export function hasAnswerNormalized(blockText: string, answers: readonly string[]): boolean {
  const normalizedBlock = normalizeAnswer(blockText);
  const blockTokens = normalizedBlock === '' ? [] : normalizedBlock.split(' ');
  return answers.some((answer) => {
    const normalized = normalizeAnswer(answer);
    return normalized !== '' && containsSequence(blockTokens, normalized.split(' '));
  });
}

const searchPatterns = new Map<string, RegExp | null>();

/** The answer pattern compiled for searching anywhere (Python re.search with IGNORECASE|UNICODE|MULTILINE), or null if it does not compile. */
function searchPattern(pattern: string): RegExp | null {
  let regex = searchPatterns.get(pattern);
  if (regex === undefined) {
    const compiled = compilePythonRegex(pattern);
    // The translation targets flags 'iuy'; without the sticky flag the same source searches.
    regex = compiled.ok ? new RegExp(compiled.source, 'iu') : null;
    searchPatterns.set(pattern, regex);
  }
  return regex;
}

/** CuratedTREC: some answer pattern matches somewhere in the block (patterns that fail to compile never match). */
export function hasAnswerRegex(blockText: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => searchPattern(pattern)?.test(blockText) ?? false);
}

/** The block-correctness test a config names. */
export function hasAnswer(blockText: string, answers: readonly string[], matcher: OrqaAnswerMatcher): boolean {
  switch (matcher) {
    case 'substring': return hasAnswerSubstring(blockText, answers);
    case 'normalized': return hasAnswerNormalized(blockText, answers);
    case 'regex': return hasAnswerRegex(blockText, answers);
  }
}

/** top_k_match: some of the first k retrieved blocks is correct (retrieval order). */
export function recallAtK(retrievedCorrect: ArrayLike<number | boolean>, k: number): boolean {
  if (!Number.isInteger(k) || k < 1) throw new Error(`recallAtK: k must be a positive integer, got ${k}`);
  const n = Math.min(k, retrievedCorrect.length);
  for (let i = 0; i < n; i++) if (retrievedCorrect[i]) return true;
  return false;
}

/** reader_oracle: some candidate span of the read blocks is a gold span. */
export function readerOracle(readerCorrect: ArrayLike<number | boolean>): boolean {
  for (let i = 0; i < readerCorrect.length; i++) if (readerCorrect[i]) return true;
  return false;
}

/** official_exact_match: the predicted text equals a normalised answer (or matches a regex answer from its start). */
export function officialExactMatch(prediction: string, answers: readonly string[], isRegex: boolean): boolean {
  return isCorrect(answers, prediction, isRegex);
}

/** One question's evaluation outcome (compute_eval_metrics' per-example values). */
export interface OrqaQuestionEval {
  /** The predicted (block, span) is a gold span (token level; ORQA's best-export metric). */
  exactMatch: boolean;
  /** The predicted text matches an answer after normalisation / by regex. */
  officialExactMatch: boolean;
  readerOracle: boolean;
  /** recallAtK for each configured k, by k. */
  recall: Readonly<Record<number, boolean>>;
}

/** Means over questions, as tf.metrics.mean reports them. */
export interface OrqaEvalSummary {
  count: number;
  exactMatch: number;
  officialExactMatch: number;
  readerOracle: number;
  /** recall@k by k. */
  recall: Record<number, number>;
}

/** Averages per-question outcomes (all zeros for none). */
export function summarizeOrqaEval(results: readonly OrqaQuestionEval[], ks: readonly number[]): OrqaEvalSummary {
  const mean = (pick: (r: OrqaQuestionEval) => boolean): number =>
    results.length === 0 ? 0 : results.reduce((sum, r) => sum + (pick(r) ? 1 : 0), 0) / results.length;
  const recall: Record<number, number> = {};
  for (const k of ks) recall[k] = mean((r) => r.recall[k] ?? false);
  return {
    count: results.length,
    exactMatch: mean((r) => r.exactMatch),
    officialExactMatch: mean((r) => r.officialExactMatch),
    readerOracle: mean((r) => r.readerOracle),
    recall,
  };
}
