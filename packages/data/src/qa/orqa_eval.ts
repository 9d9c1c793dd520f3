// ORQA's official open-domain QA metric: exact match after normalisation, or regex match for CuratedTREC.
// Ports language/orqa/utils/eval_utils.py: exact_match_score, regex_match_score, is_correct,
// evaluate_predictions_impl and evaluate_predictions (evaluation/evaluate_predictions.py).
import { z } from 'zod';
import { normalizeAnswer } from './normalize_answer.js';
import { compilePythonRegex, pythonRegexMatches, type CompiledPythonRegex } from './python_regex.js';
import { ANSWER_FIELDS, loadPredictions, loadReferences, looksLikeCuratedTrec } from './qa_files.js';

export const OrqaEvalConfigSchema = z
  .strictObject({
    isRegex: z.boolean().default(false).describe('Gold answers are Python regular expressions (CuratedTREC only); evaluate_predictions --is_regex.'),
    answerField: z.enum(ANSWER_FIELDS).default('answer').describe('Which field of a reference line holds the gold answers; evaluate_predictions --answer_field.'),
  })
  .readonly();
export type OrqaEvalConfig = z.infer<typeof OrqaEvalConfigSchema>;

/** The dict evaluate_predictions_impl returns, with ORQA's field names. */
export interface OrqaAccuracy {
  accuracy: number;
  num_correct: number;
  num_total: number;
  missing_predictions: number;
}

/** eval_utils.exact_match_score: normalised strings are equal. */
export function exactMatchScore(prediction: string, groundTruth: string): boolean {
  return normalizeAnswer(prediction) === normalizeAnswer(groundTruth);
}

// Compiling is the expensive part of regex scoring and gold patterns repeat across questions.
const compiledPatterns = new Map<string, CompiledPythonRegex>();

function compileCached(pattern: string): CompiledPythonRegex {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    compiled = compilePythonRegex(pattern);
    compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}

/** eval_utils.regex_match_score: re.match with IGNORECASE|UNICODE|MULTILINE; a pattern that fails to compile scores false. */
export function regexMatchScore(prediction: string, pattern: string): boolean {
  const compiled = compileCached(pattern);
  return compiled.ok && pythonRegexMatches(compiled.regex, prediction);
}

/** eval_utils.is_correct: the best score over all gold answers (false when there are none, where Python's max() would raise). */
export function isCorrect(answers: readonly string[], prediction: string, isRegex: boolean): boolean {
  const metric = isRegex ? regexMatchScore : exactMatchScore;
  return answers.some((answer) => metric(prediction, answer));
}

/**
 * eval_utils.evaluate_predictions_impl: every reference question counts; a question with no prediction is
 * wrong and counted in missing_predictions; predictions for unknown questions are ignored.
 */
export function evaluatePredictions(
  references: ReadonlyMap<string, readonly string[]>,
  predictions: ReadonlyMap<string, string>,
  isRegex: boolean,
): OrqaAccuracy {
  let correct = 0;
  let missing = 0;
  for (const [question, answers] of references) {
    const prediction = predictions.get(question);
    if (prediction === undefined) missing += 1;
    else if (isCorrect(answers, prediction, isRegex)) correct += 1;
  }
  // Python divides by float(len(references)) and raises ZeroDivisionError on an empty file; say so instead.
  if (references.size === 0) throw new Error('evaluatePredictions: the reference set is empty');
  return { accuracy: correct / references.size, num_correct: correct, num_total: references.size, missing_predictions: missing };
}

export interface OrqaEvaluationReport {
  result: OrqaAccuracy;
  /** evaluate_predictions' warning when --is_regex disagrees with "CuratedTrec" in the reference path. */
  warnings: string[];
}

/** eval_utils.evaluate_predictions on two JSON-lines files (both read into question-keyed maps, last line wins). */
export async function evaluatePredictionFiles(referencesPath: string, predictionsPath: string, config: Partial<OrqaEvalConfig> = {}): Promise<OrqaEvaluationReport> {
  const { isRegex, answerField } = OrqaEvalConfigSchema.parse(config);
  const warnings: string[] = [];
  if (isRegex !== looksLikeCuratedTrec(referencesPath)) warnings.push('Warning: regex evaluation should (only) be applied to CuratedTrec.');
  const references = await loadReferences(referencesPath, answerField);
  if (references.size === 0) throw new Error(`${referencesPath}: no reference questions`);
  const predictions = await loadPredictions(predictionsPath);
  return { result: evaluatePredictions(references, predictions, isRegex), warnings };
}
