// Greedy sentence packing into retrieval blocks.
// Ports language/orqa/preprocessing/wiki_preprocessor.py: Preprocessor.generate_sentences.

/** A sentence of a document with its wordpiece count. */
export interface CountedSentence {
  text: string;
  numTokens: number;
}

/**
 * Packs sentences greedily so that `[CLS] title [SEP] block [SEP]` fits in `maxBlockLength`:
 * a sentence joins the current block while 3 + titleTokens + blockTokens + sentenceTokens ≤ max,
 * otherwise it starts a new block. As in ORQA, a single sentence longer than the budget forms its
 * own over-long block (truncated later, at encoding time), and empty blocks are never emitted.
 * Returns the sentence index ranges [start, end) of each block.
 */
export function packSentencesIntoBlocks(
  titleTokens: number,
  sentences: readonly CountedSentence[],
  maxBlockLength = 288,
): Array<{ start: number; end: number; numTokens: number }> {
  const blocks: Array<{ start: number; end: number; numTokens: number }> = [];
  let blockStart = 0;
  let blockTokens = 0;
  for (let i = 0; i < sentences.length; i++) {
    const numTokens = sentences[i].numTokens;
    // Hypothetical sequence [CLS] <title> [SEP] <current> <next> [SEP].
    if (3 + titleTokens + blockTokens + numTokens <= maxBlockLength) {
      blockTokens += numTokens;
      continue;
    }
    if (i > blockStart) blocks.push({ start: blockStart, end: i, numTokens: blockTokens });
    blockStart = i;
    blockTokens = numTokens;
  }
  if (sentences.length > blockStart) blocks.push({ start: blockStart, end: sentences.length, numTokens: blockTokens });
  return blocks;
}

/** ORQA drops list, index, outline and disambiguation pages (wiki_preprocessor.remove_doc). */
export function isExcludedTitle(title: string): boolean {
  return /^(List of .+|Index of .+|Outline of .+|.*\(disambiguation\).*)/s.test(title);
}
