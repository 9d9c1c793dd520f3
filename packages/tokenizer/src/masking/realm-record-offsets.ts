// Conversion between character spans and the UTF-8 byte-offset fields of a REALM pre-training record
// (sentence_byte_start/limit, span_byte_start/limit, span_type), as read by
// language/realm/example_generator.py: text_features_to_query and written by TFDS salient_span_wikipedia.
import type { CharSpan } from '../types.js';

/** The salient-span fields of one REALM pre-training record (int64 features as plain numbers). */
export interface RealmSalientFields {
  sentence_byte_start: number[];
  sentence_byte_limit: number[];
  /** Sorted by start (then limit), as the TFDS builder assumes. */
  span_byte_start: number[];
  span_byte_limit: number[];
  span_type: string[];
}

/** A record's text with its sentences and salient spans in UTF-16 character offsets. */
export interface SalientRecord {
  text: string;
  sentences: readonly CharSpan[];
  spans: readonly CharSpan[];
}

/**
 * byteOffsets[i] = UTF-8 byte offset of UTF-16 index i (length text.length + 1); −1 for the low half
 * of a surrogate pair, which is not a code-point boundary.
 */
export function utf8ByteOffsetsOf(text: string): Int32Array {
  const offsets = new Int32Array(text.length + 1);
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    offsets[i] = bytes;
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair is one 4-byte code point; no byte offset corresponds to its middle.
      offsets[i + 1] = -1;
      bytes += 4;
      i++;
    } else bytes += 3; // BMP character (a lone surrogate is encoded as U+FFFD, also 3 bytes)
  }
  offsets[text.length] = bytes;
  return offsets;
}

/** Converts annotated char spans to REALM record fields; spans are sorted by start then end. */
export function toRealmSalientFields(text: string, annotation: { sentences: readonly CharSpan[]; spans: readonly CharSpan[] }): RealmSalientFields {
  const bytes = utf8ByteOffsetsOf(text);
  const at = (where: string, offset: number): number => {
    if (!Number.isInteger(offset) || offset < 0 || offset > text.length) {
      throw new Error(`toRealmSalientFields: ${where} offset ${offset} is outside the text (length ${text.length})`);
    }
    if (bytes[offset] < 0) throw new Error(`toRealmSalientFields: ${where} offset ${offset} splits a surrogate pair`);
    return bytes[offset];
  };
  const spans = [...annotation.spans].sort((a, b) => a.start - b.start || a.end - b.end);
  return {
    sentence_byte_start: annotation.sentences.map((s, i) => at(`sentence ${i} start`, s.start)),
    sentence_byte_limit: annotation.sentences.map((s, i) => at(`sentence ${i} end`, s.end)),
    span_byte_start: spans.map((s, i) => at(`span ${i} start`, s.start)),
    span_byte_limit: spans.map((s, i) => at(`span ${i} end`, s.end)),
    span_type: spans.map((s) => s.label ?? ''),
  };
}

/**
 * Reads REALM record fields back into char spans of `text`. Throws, naming the field and index, when
 * the arrays differ in length or an offset is out of range or falls inside a multi-byte character.
 */
export function salientRecordFromFields(text: string, fields: Partial<RealmSalientFields>): SalientRecord {
  const byteToChar = new Map<number, number>();
  const bytes = utf8ByteOffsetsOf(text);
  for (let i = 0; i <= text.length; i++) if (bytes[i] >= 0) byteToChar.set(bytes[i], i);
  const totalBytes = bytes[text.length];
  const toChar = (field: string, index: number, byteOffset: number): number => {
    const char = byteToChar.get(byteOffset);
    if (char === undefined) {
      throw new Error(
        `${field}[${index}] = ${byteOffset} is ${byteOffset < 0 || byteOffset > totalBytes ? `outside the text (${totalBytes} bytes)` : 'inside a multi-byte UTF-8 character'}`,
      );
    }
    return char;
  };
  const pairUp = (startField: keyof RealmSalientFields, limitField: keyof RealmSalientFields, labels?: string[]): CharSpan[] => {
    const starts = (fields[startField] ?? []) as number[];
    const limits = (fields[limitField] ?? []) as number[];
    if (starts.length !== limits.length) {
      throw new Error(`${startField} has ${starts.length} values but ${limitField} has ${limits.length}`);
    }
    return starts.map((start, i) => {
      const span: CharSpan = { start: toChar(startField, i, Number(start)), end: toChar(limitField, i, Number(limits[i])) };
      if (span.end < span.start) throw new Error(`${limitField}[${i}] = ${limits[i]} is before ${startField}[${i}] = ${start}`);
      if (labels !== undefined && labels[i] !== undefined && labels[i] !== '') span.label = labels[i];
      return span;
    });
  };
  const labels = fields.span_type;
  if (labels !== undefined && labels.length > 0 && labels.length !== (fields.span_byte_start ?? []).length) {
    throw new Error(`span_type has ${labels.length} values but span_byte_start has ${(fields.span_byte_start ?? []).length}`);
  }
  return {
    text,
    sentences: pairUp('sentence_byte_start', 'sentence_byte_limit'),
    spans: pairUp('span_byte_start', 'span_byte_limit', labels),
  };
}
