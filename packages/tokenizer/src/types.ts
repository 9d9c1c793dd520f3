// Shared shapes of tokenizer output. Offsets are [start, end) in UTF-16 code units of the ORIGINAL
// input string (JavaScript string indices); `utf8ByteOffsets` in offsets.ts converts them to the
// UTF-8 byte offsets that REALM's records use.

/** One wordpiece with its provenance in the original text. */
export interface WordPiece {
  /** The vocabulary entry ('##' prefix for continuations), or the unknown token. */
  token: string;
  /** Its id in the vocabulary. */
  id: number;
  /** Start of the text this piece covers, in the original string (UTF-16 code units). */
  start: number;
  /** End (exclusive) of the text this piece covers, in the original string. */
  end: number;
  /** Index of the original whitespace/punctuation-split token it came from (ORQA's mapping). */
  originalTokenIndex: number;
}

/** A character span [start, end) of the original text, with an optional label. */
export interface CharSpan {
  start: number;
  end: number;
  /** e.g. 'PERSON', 'PLACE', 'ORG', 'DATE'; REALM stores it as span_type and ignores it. */
  label?: string;
}
