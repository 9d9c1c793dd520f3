// The knowledge corpus as ORQA's model reads it: raw block text for HasAnswer, [CLS] q [SEP] block
// [SEP] reader inputs with gold spans and the original-token mapping, and [CLS] title [SEP] block
// [SEP] document-embedder inputs. Ports the block side of language/orqa/models/orqa_model.py
// (ReaderInputs op over blocks.tfr + HasAnswer) and the question side ([CLS] q [SEP], never truncated).
import type { BertInputs } from '@realm/data';
import type { OrqaAnswerMatcher, OrqaBlockSource, OrqaExample, OrqaReaderBlock } from '@realm/model';
import { findAnswerSpans, packCandidate, packReaderInputs, tokenizeWithOriginalMapping, type FullTokenizer, type OriginalMapping, type PackingIds } from '@realm/tokenizer';

/** One retrievable block: its document title and its text (ORQA's titles.tfr / blocks.tfr rows). */
export interface TextBlock {
  title: string;
  text: string;
}

/** A question with its gold answers (strings, or Python regexes for CuratedTREC). */
export interface QaItem {
  question: string;
  answers: readonly string[];
}

/** The retriever's input for a question: [CLS] question [SEP], never truncated (ORQA tokenizes questions in full). */
export function orqaExample(tokenizer: FullTokenizer, item: QaItem): OrqaExample {
  const ids = tokenizer.vocab.specialTokenIds();
  return { question: item.question, answers: item.answers, questionInputIds: Int32Array.from([ids.cls, ...tokenizer.encodeIds(item.question), ids.sep]) };
}

export interface TokenizedBlocksOptions {
  /** Reader length L of [CLS] q [SEP] block [SEP] (OrqaConfig.readerSeqLen). */
  readerSeqLen: number;
  /** Document-embedder length of [CLS] title [SEP] block [SEP] (the pre-training candidateSeqLen). */
  documentSeqLen: number;
  /** 'regex' answers are patterns, so they have no wordpiece spans: the reader gets no gold span from them. */
  answerMatcher: OrqaAnswerMatcher;
}

/**
 * An OrqaBlockSource over in-memory blocks and a WordPiece tokenizer. Each block is tokenized with
 * its original-token mapping on first use and cached, as are the question's and answers' ids.
 */
export class TokenizedBlocks implements OrqaBlockSource {
  private readonly mappings = new Map<number, OriginalMapping>();
  private readonly ids: PackingIds;

  constructor(
    readonly blocks: readonly TextBlock[],
    readonly tokenizer: FullTokenizer,
    readonly options: TokenizedBlocksOptions,
  ) {
    this.ids = tokenizer.vocab.specialTokenIds();
  }

  get size(): number {
    return this.blocks.length;
  }

  private block(id: number): TextBlock {
    const block = this.blocks[id];
    if (block === undefined) throw new Error(`block id ${id} is outside the knowledge base of ${this.blocks.length} blocks`);
    return block;
  }

  text(id: number): string {
    return this.block(id).text;
  }

  title(id: number): string {
    return this.block(id).title;
  }

  /** The block's wordpieces and original tokens (with character offsets into its text). */
  mapping(id: number): OriginalMapping {
    let mapping = this.mappings.get(id);
    if (!mapping) {
      mapping = tokenizeWithOriginalMapping(this.tokenizer, this.text(id));
      this.mappings.set(id, mapping);
    }
    return mapping;
  }

  readerInputs(example: OrqaExample, id: number): OrqaReaderBlock {
    const mapping = this.mapping(id);
    const questionIds = this.tokenizer.encodeIds(example.question);
    const packed = packReaderInputs(questionIds, mapping.tokenIds, this.ids, this.options.readerSeqLen, mapping.tokenMap);
    const goldSpans = this.options.answerMatcher === 'regex' ? [] : example.answers.flatMap((answer) => findAnswerSpans(packed, this.tokenizer.encodeIds(answer)));
    return { ...packed, goldSpans, originalTokens: mapping.originalTokens };
  }

  documentInputs(id: number): BertInputs {
    const block = this.block(id);
    const packed = packCandidate(this.tokenizer.encodeIds(block.title), this.mapping(id).tokenIds, this.ids, this.options.documentSeqLen);
    return { tokenIds: packed.tokenIds, mask: packed.inputMask, segmentIds: packed.segmentIds };
  }
}
