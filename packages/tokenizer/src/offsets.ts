// UTF-16 (JavaScript string index) ↔ UTF-8 byte offsets. REALM's records store byte offsets into
// the UTF-8 text (language/realm/featurization.py computes token start/stop bytes), our tokenizer
// reports UTF-16 offsets; these helpers convert between the two.

/** A [start, end) span; the unit (UTF-16 units or UTF-8 bytes) depends on the producer. */
export interface OffsetSpan {
  start: number;
  end: number;
}

/** UTF-8 length of the code unit(s) at index i, and how many UTF-16 units they take. */
function utf8Width(text: string, i: number): [bytes: number, units: number] {
  const c = text.charCodeAt(i);
  if (c < 0x80) return [1, 1];
  if (c < 0x800) return [2, 1];
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return [4, 2];
  }
  // Other BMP characters take 3 bytes; so does a lone surrogate, which encoders write as U+FFFD.
  return [3, 1];
}

/**
 * Byte offset of every UTF-16 index 0..text.length (the array has length + 1 entries). An index
 * between the two halves of a surrogate pair gets the byte offset of the pair's start.
 */
export function utf8OffsetTable(text: string): Uint32Array {
  const table = new Uint32Array(text.length + 1);
  let bytes = 0;
  for (let i = 0; i < text.length; ) {
    const [width, units] = utf8Width(text, i);
    table[i] = bytes;
    if (units === 2) table[i + 1] = bytes;
    bytes += width;
    i += units;
  }
  table[text.length] = bytes;
  return table;
}

/** UTF-8 byte length of `text` (as TextEncoder would write it). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; ) {
    const [width, units] = utf8Width(text, i);
    bytes += width;
    i += units;
  }
  return bytes;
}

function checkIndex(text: string, index: number, what: string): void {
  if (!Number.isInteger(index) || index < 0 || index > text.length) {
    throw new Error(`offsets: ${what} ${index} is outside the text (UTF-16 length ${text.length})`);
  }
}

/** Converts UTF-16 spans of `text` into UTF-8 byte spans (same order, new objects). */
export function utf8ByteOffsets(text: string, spans: readonly OffsetSpan[]): OffsetSpan[] {
  const table = utf8OffsetTable(text);
  return spans.map(({ start, end }) => {
    checkIndex(text, start, 'start');
    checkIndex(text, end, 'end');
    return { start: table[start], end: table[end] };
  });
}

/** Converts one UTF-16 index of `text` into a UTF-8 byte offset. */
export function utf16ToUtf8Offset(text: string, index: number): number {
  checkIndex(text, index, 'index');
  return utf8ByteLength(text.slice(0, index));
}

/**
 * Converts a UTF-8 byte offset into a UTF-16 index of `text`; throws when the offset falls inside
 * a multi-byte character or past the end (the message gives the offset).
 */
export function utf8ToUtf16Offset(text: string, byteOffset: number): number {
  if (!Number.isInteger(byteOffset) || byteOffset < 0) throw new Error(`offsets: byte offset ${byteOffset} is not a non-negative integer`);
  let bytes = 0;
  let i = 0;
  while (bytes < byteOffset && i < text.length) {
    const [width, units] = utf8Width(text, i);
    bytes += width;
    i += units;
  }
  if (bytes !== byteOffset) {
    throw new Error(`offsets: byte offset ${byteOffset} is ${bytes < byteOffset ? 'past the end of' : 'inside a character of'} the text (UTF-8 length ${utf8ByteLength(text)})`);
  }
  return i;
}
