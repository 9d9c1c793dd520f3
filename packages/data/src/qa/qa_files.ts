// Streaming readers for open-domain QA JSON-lines files: NQ-open, WebQuestions and CuratedTREC (DrQA format,
// one `{"question": str, "answer": [str, ...]}` per line, key order free) and ORQA prediction files.
// Mirrors how language/orqa/utils/eval_utils.py:evaluate_predictions reads them (json.loads per line).
import { createReadStream } from 'node:fs';
import { z } from 'zod';

/** One line of a QA dataset file. Extra keys (ids, other answer fields) are allowed and ignored. */
export const QaExampleSchema = z.object({
  question: z.string().describe('The question text; ORQA keys references and predictions by this exact string.'),
  answer: z.array(z.string()).describe('Gold answers (plain strings, or regular expressions for CuratedTREC).'),
});
export type QaExample = z.infer<typeof QaExampleSchema>;

/** One line of an ORQA predictions file (evaluate_predictions.py --predictions_path). */
export const QaPredictionSchema = z.object({
  question: z.string().describe('The question text, exactly as in the dataset file.'),
  prediction: z.string().describe('The single predicted answer string.'),
});
export type QaPrediction = z.infer<typeof QaPredictionSchema>;

/** Answer fields evaluate_predictions.py accepts (--answer_field); the second exists in EfficientQA test. */
export const ANSWER_FIELDS = ['answer', 'answer_and_def_correct_predictions'] as const;
export type AnswerField = (typeof ANSWER_FIELDS)[number];

/** A raw line with its 1-based line number; `text` has the newline (and a trailing CR) removed. */
export interface NumberedLine {
  lineNumber: number;
  text: string;
}

/**
 * Streams a text file as lines split on '\n' only (tf.io.gfile.GFile iteration does the same, so a
 * U+2028 inside a JSON string never splits a record). A trailing '\r' is dropped; a final newline
 * does not produce an extra empty line.
 */
export async function* readLines(path: string): AsyncGenerator<NumberedLine> {
  let pending = '';
  let lineNumber = 0;
  const stream = createReadStream(path, { encoding: 'utf8' });
  for await (const chunk of stream as AsyncIterable<string>) {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      lineNumber += 1;
      yield { lineNumber, text: stripCarriageReturn(pending.slice(0, newline)) };
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  }
  if (pending.length > 0) yield { lineNumber: lineNumber + 1, text: stripCarriageReturn(pending) };
}

function stripCarriageReturn(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

/** Error for a bad line: `<file>:<line>: <problem>`, the file given as the caller passed it. */
export class QaFileError extends Error {
  constructor(
    readonly path: string,
    readonly lineNumber: number,
    problem: string,
  ) {
    super(`${path}:${lineNumber}: ${problem}`);
    this.name = 'QaFileError';
  }
}

/** Parses one JSON line against a schema, or throws a QaFileError naming file, line and field. */
export function parseJsonLine<T>(schema: z.ZodType<T>, path: string, line: NumberedLine): T {
  if (line.text.trim() === '') throw new QaFileError(path, line.lineNumber, 'empty line (expected one JSON object per line)');
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch (error) {
    throw new QaFileError(path, line.lineNumber, `invalid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.length > 0 ? `field "${issue.path.join('.')}"` : 'line';
    throw new QaFileError(path, line.lineNumber, `${field}: ${issue.message}`);
  }
  return parsed.data;
}

/** A dataset line with where it came from; `line` is the raw text, kept for verbatim re-splitting. */
export interface QaRecord extends QaExample {
  lineNumber: number;
  line: string;
}

/**
 * Streams a QA dataset file (NQ-open / WebQuestions / CuratedTREC). `answerField` picks the gold list,
 * as evaluate_predictions.py's --answer_field does; the record's `answer` holds that field's list.
 */
export async function* readQaExamples(path: string, answerField: AnswerField = 'answer'): AsyncGenerator<QaRecord> {
  const schema = z.object({ question: QaExampleSchema.shape.question, [answerField]: QaExampleSchema.shape.answer });
  for await (const line of readLines(path)) {
    const example = parseJsonLine(schema, path, line) as Record<string, unknown>;
    yield { question: example.question as string, answer: example[answerField] as string[], lineNumber: line.lineNumber, line: line.text };
  }
}

/** Streams only the questions of a file (e.g. the EfficientQA "no-annotations" files, which lack `answer`). */
export async function* readQaQuestions(path: string): AsyncGenerator<{ question: string; lineNumber: number }> {
  const schema = z.object({ question: QaExampleSchema.shape.question });
  for await (const line of readLines(path)) {
    yield { question: parseJsonLine(schema, path, line).question, lineNumber: line.lineNumber };
  }
}

/** Streams a predictions file of `{"question", "prediction"}` lines. */
export async function* readQaPredictions(path: string): AsyncGenerator<QaPrediction & { lineNumber: number }> {
  for await (const line of readLines(path)) {
    yield { ...parseJsonLine(QaPredictionSchema, path, line), lineNumber: line.lineNumber };
  }
}

/**
 * Loads a dataset into a Map keyed by question, as eval_utils.evaluate_predictions does with a dict:
 * a later line with the same question replaces the earlier answers but keeps the first position.
 */
export async function loadReferences(path: string, answerField: AnswerField = 'answer'): Promise<Map<string, string[]>> {
  const references = new Map<string, string[]>();
  for await (const record of readQaExamples(path, answerField)) references.set(record.question, record.answer);
  return references;
}

/** Loads predictions into a Map keyed by question; a later line wins for a duplicate question. */
export async function loadPredictions(path: string): Promise<Map<string, string>> {
  const predictions = new Map<string, string>();
  for await (const record of readQaPredictions(path)) predictions.set(record.question, record.prediction);
  return predictions;
}

/** True when evaluate_predictions.py would expect --is_regex for this path ("CuratedTrec" in the name). */
export function looksLikeCuratedTrec(path: string): boolean {
  return path.includes('CuratedTrec');
}
