// The REALM and ORQA record formats as tf.train.Example features, with zod-validated JS forms.
// Field names and layouts follow realm-spec.md §5 (language/realm/generate_retrieval_corpus.py,
// the TFDS salient_span_wikipedia builder, language/orqa/preprocessing/wiki_preprocessor.py), so
// Google's files load unchanged and ours load in Google's code.
import { z } from 'zod';
import { buildExample, int64Numbers, stringValues } from '../tfrecord/features.js';
import type { TfExample } from '../tfrecord/example.js';

const byteOffset = z.number().int().nonnegative();

/** A pre-training corpus record (X): a block of text with sentence and salient-span byte offsets. */
export const PretrainRecordSchema = z
  .strictObject({
    title: z.string().describe('Page title (feature `title`, bytes[1]).'),
    text: z.string().describe('Block text (feature `text`, UTF-8); every offset below indexes its UTF-8 bytes.'),
    sentenceByteStart: z.array(byteOffset).describe('Sentence starts [start, limit) in UTF-8 bytes (`sentence_byte_start`).'),
    sentenceByteLimit: z.array(byteOffset).describe('Sentence limits, exclusive (`sentence_byte_limit`).'),
    spanByteStart: z.array(byteOffset).describe('Salient-span starts in UTF-8 bytes, sorted (`span_byte_start`).'),
    spanByteLimit: z.array(byteOffset).describe('Salient-span limits, exclusive (`span_byte_limit`).'),
    spanType: z.array(z.string()).describe('Span label per span, e.g. PERSON or DATE (`span_type`; REALM ignores it).'),
    uid: z.string().describe('Record id (`uid`; REALM ignores it). Ours is the SHA-1 document uid.'),
  })
  .superRefine((record, ctx) => {
    const textBytes = Buffer.byteLength(record.text, 'utf8');
    const pairs: Array<[string, number[], number[]]> = [
      ['sentence', record.sentenceByteStart, record.sentenceByteLimit],
      ['span', record.spanByteStart, record.spanByteLimit],
    ];
    for (const [what, starts, limits] of pairs) {
      if (starts.length !== limits.length) {
        ctx.addIssue({ code: 'custom', message: `${what}_byte_start has ${starts.length} values but ${what}_byte_limit has ${limits.length}` });
        continue;
      }
      starts.forEach((start, i) => {
        if (!(start <= limits[i] && limits[i] <= textBytes)) {
          ctx.addIssue({ code: 'custom', message: `${what} ${i}: [${start}, ${limits[i]}) is not inside the ${textBytes}-byte text` });
        }
      });
    }
    if (record.spanType.length !== 0 && record.spanType.length !== record.spanByteStart.length) {
      ctx.addIssue({ code: 'custom', message: `span_type has ${record.spanType.length} values for ${record.spanByteStart.length} spans` });
    }
  });
export type PretrainRecord = z.infer<typeof PretrainRecordSchema>;

const PRETRAIN_FEATURES = {
  title: 'bytes',
  text: 'bytes',
  sentence_byte_start: 'int64',
  sentence_byte_limit: 'int64',
  span_byte_start: 'int64',
  span_byte_limit: 'int64',
  span_type: 'bytes',
  uid: 'bytes',
} as const;

export function pretrainRecordToExample(record: PretrainRecord): TfExample {
  return buildExample(PRETRAIN_FEATURES, {
    title: record.title,
    text: record.text,
    sentence_byte_start: record.sentenceByteStart,
    sentence_byte_limit: record.sentenceByteLimit,
    span_byte_start: record.spanByteStart,
    span_byte_limit: record.spanByteLimit,
    span_type: record.spanType,
    uid: record.uid,
  });
}

/** Reads a pre-training record; features REALM does not need (span_type, uid) may be absent. */
export function pretrainRecordFromExample(example: TfExample, where = 'pre-training record'): PretrainRecord {
  const optionalStrings = (name: string) => (Object.hasOwn(example, name) ? stringValues(example, name) : []);
  return parseWithContext(PretrainRecordSchema, where, () => ({
    title: single(stringValues(example, 'title'), 'title'),
    text: single(stringValues(example, 'text'), 'text'),
    sentenceByteStart: int64Numbers(example, 'sentence_byte_start'),
    sentenceByteLimit: int64Numbers(example, 'sentence_byte_limit'),
    spanByteStart: int64Numbers(example, 'span_byte_start'),
    spanByteLimit: int64Numbers(example, 'span_byte_limit'),
    spanType: optionalStrings('span_type'),
    uid: optionalStrings('uid')[0] ?? '',
  }));
}

/** A retrieval-corpus document (Z), pre-tokenized, as generate_retrieval_corpus.py writes it. */
export const RetrievalDocumentSchema = z.strictObject({
  title: z.string().describe('Document title (`title`).'),
  body: z.string().describe('Document body (`body`).'),
  titleTokenIds: z.array(z.number().int().nonnegative()).describe('Title wordpiece ids (`title_token_ids`).'),
  bodyTokenIds: z.array(z.number().int().nonnegative()).describe('Body wordpiece ids (`body_token_ids`).'),
  titleTokenTexts: z.array(z.string()).describe('Title wordpieces (`title_token_texts`; unused by REALM).'),
  bodyTokenTexts: z.array(z.string()).describe('Body wordpieces (`body_token_texts`; unused by REALM).'),
});
export type RetrievalDocument = z.infer<typeof RetrievalDocumentSchema>;

const RETRIEVAL_FEATURES = {
  title: 'bytes',
  body: 'bytes',
  title_token_ids: 'int64',
  body_token_ids: 'int64',
  title_token_texts: 'bytes',
  body_token_texts: 'bytes',
  title_token_starts: 'int64',
  title_token_stops: 'int64',
  body_token_starts: 'int64',
  body_token_stops: 'int64',
} as const;

export function retrievalDocumentToExample(doc: RetrievalDocument): TfExample {
  // Token boundaries are written as -1, as the reference does (compute_token_boundaries=False).
  const minusOnes = (n: number) => new Array<number>(n).fill(-1);
  return buildExample(RETRIEVAL_FEATURES, {
    title: doc.title,
    body: doc.body,
    title_token_ids: doc.titleTokenIds,
    body_token_ids: doc.bodyTokenIds,
    title_token_texts: doc.titleTokenTexts,
    body_token_texts: doc.bodyTokenTexts,
    title_token_starts: minusOnes(doc.titleTokenIds.length),
    title_token_stops: minusOnes(doc.titleTokenIds.length),
    body_token_starts: minusOnes(doc.bodyTokenIds.length),
    body_token_stops: minusOnes(doc.bodyTokenIds.length),
  });
}

export function retrievalDocumentFromExample(example: TfExample, where = 'retrieval document'): RetrievalDocument {
  const optionalStrings = (name: string) => (Object.hasOwn(example, name) ? stringValues(example, name) : []);
  return parseWithContext(RetrievalDocumentSchema, where, () => ({
    title: single(stringValues(example, 'title'), 'title'),
    body: single(stringValues(example, 'body'), 'body'),
    titleTokenIds: int64Numbers(example, 'title_token_ids'),
    bodyTokenIds: int64Numbers(example, 'body_token_ids'),
    titleTokenTexts: optionalStrings('title_token_texts'),
    bodyTokenTexts: optionalStrings('body_token_texts'),
  }));
}

/** ORQA's examples.tfr record for block i: title ids, block ids and sentence starts. */
export const OrqaBlockExampleSchema = z.strictObject({
  titleIds: z.array(z.number().int().nonnegative()).describe('Title wordpiece ids (`title_ids`).'),
  tokenIds: z.array(z.number().int().nonnegative()).describe('Block wordpiece ids (`token_ids`).'),
  sentenceStarts: z.array(z.number().int().nonnegative()).describe('Index into token_ids where each sentence starts (`sentence_starts`).'),
});
export type OrqaBlockExample = z.infer<typeof OrqaBlockExampleSchema>;

const ORQA_BLOCK_FEATURES = { title_ids: 'int64', token_ids: 'int64', sentence_starts: 'int64' } as const;

export function orqaBlockExampleToExample(block: OrqaBlockExample): TfExample {
  return buildExample(ORQA_BLOCK_FEATURES, {
    title_ids: block.titleIds,
    token_ids: block.tokenIds,
    sentence_starts: block.sentenceStarts,
  });
}

export function orqaBlockExampleFromExample(example: TfExample, where = 'ORQA block example'): OrqaBlockExample {
  return parseWithContext(OrqaBlockExampleSchema, where, () => ({
    titleIds: int64Numbers(example, 'title_ids'),
    tokenIds: int64Numbers(example, 'token_ids'),
    sentenceStarts: int64Numbers(example, 'sentence_starts'),
  }));
}

/** ORQA's blocks.tfr / titles.tfr hold raw UTF-8 strings as records (not Examples). */
export function decodeUtf8Record(payload: Uint8Array, where: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    throw new Error(`${where}: record is not valid UTF-8`);
  }
}

function single(values: string[], name: string): string {
  if (values.length !== 1) throw new Error(`feature "${name}" must hold exactly one value, found ${values.length}`);
  return values[0];
}

function parseWithContext<T>(schema: z.ZodType<T>, where: string, read: () => unknown): T {
  let raw: unknown;
  try {
    raw = read();
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`${where}: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
  return parsed.data;
}

