// `realm ask "question"`: one question through a fine-tuned ORQA model (retrieve readerBeamSize
// blocks, read them, best span), with the evidence block and its span highlighted. Ports
// orqa_model.get_predictor's single-question use (language/orqa/predict/*).
import { predictOrqa } from '@realm/model';
import { orqaExample } from './blocks.js';
import { answerCharSpan, type AnswerEvidence } from './evaluate.js';
import type { LoadedQaSystem } from './model-io.js';

export interface AskAnswer extends AnswerEvidence {
  question: string;
  answer: string;
}

/** Answers one question with a loaded model and knowledge base. */
export async function askQuestion(system: LoadedQaSystem, question: string): Promise<AskAnswer> {
  if (question.trim() === '') throw new Error('ask: the question is empty');
  const [prediction] = await predictOrqa(system.model, [orqaExample(system.blocks.tokenizer, { question, answers: [] })], system.index, system.blocks);
  const [start, end] = answerCharSpan(system.blocks, prediction);
  return {
    question,
    answer: prediction.answer,
    block_id: prediction.blockId,
    block_rank: prediction.blockRank,
    block_title: system.blocks.title(prediction.blockId),
    block_text: system.blocks.text(prediction.blockId),
    answer_start: start,
    answer_end: end,
    score: prediction.score,
    reader_score: prediction.readerScore,
    retrieval_score: prediction.retrievalScore,
  };
}

/** The text with [start, end) marked: ANSI bold on a terminal, else [[...]]. */
export function highlightSpan(text: string, start: number, end: number, style: 'ansi' | 'brackets'): string {
  if (!(start >= 0 && start <= end && end <= text.length)) throw new Error(`highlightSpan: [${start}, ${end}) is outside a text of ${text.length} characters`);
  const [open, close] = style === 'ansi' ? ['\u001b[1m', '\u001b[22m'] : ['[[', ']]'];
  return `${text.slice(0, start)}${open}${text.slice(start, end)}${close}${text.slice(end)}`;
}

/** The human-readable answer: answer line, evidence block with the span marked, scores. */
export function formatAnswer(answer: AskAnswer, style: 'ansi' | 'brackets'): string {
  return [
    `answer: ${answer.answer}`,
    `evidence (block ${answer.block_id}, rank ${answer.block_rank + 1}): ${answer.block_title}`,
    `  ${highlightSpan(answer.block_text, answer.answer_start, answer.answer_end, style)}`,
    `scores: total ${answer.score.toFixed(3)} = reader ${answer.reader_score.toFixed(3)} + retrieval ${answer.retrieval_score.toFixed(3)}`,
  ].join('\n');
}
