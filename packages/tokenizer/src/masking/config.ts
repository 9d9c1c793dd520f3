// Masking configuration for building REALM queries. Defaults: REALM's launcher (query_seq_len 96,
// max_masks 10), BERT's create_pretraining_data.py (15 %, 80/10/10) and SpanBERT (Geo(0.2), ≤10 words).
import { z } from 'zod';

export const MASKING_STRATEGIES = ['salient', 'random_token', 'random_span'] as const;

/** One masking strategy; 'salient' is REALM, the other two are the paper's Table 2 ablations. */
export type MaskingStrategy = (typeof MASKING_STRATEGIES)[number];

export const MaskingConfigSchema = z
  .strictObject({
    strategy: z
      .enum(MASKING_STRATEGIES)
      .default('salient')
      .describe(
        "What to mask: 'salient' = one salient span per query sentence, all its wordpieces (REALM §3.4); " +
          "'random_token' = BERT's uniform 15 % token masking; 'random_span' = SpanBERT geometric span masking " +
          '(the two ablations of REALM Table 2).',
      ),
    maxMasks: z
      .int()
      .min(1)
      .default(10)
      .describe('Number of MLM prediction slots per query (REALM --max_masks; launcher value 10).'),
    querySeqLen: z
      .int()
      .min(3)
      .default(96)
      .describe(
        'Query length including [CLS] and [SEP] (REALM --query_seq_len 96). Masks at sentence index ≥ querySeqLen − 2 ' +
          'would be truncated, so salient queries with such masks are skipped and random masking never picks them.',
      ),
    maskProb: z
      .number()
      .gt(0)
      .max(1)
      .default(0.15)
      .describe('Fraction of tokens to predict for the random strategies (BERT/SpanBERT masked_lm_prob 0.15).'),
    replaceWithMaskProb: z
      .number()
      .min(0)
      .max(1)
      .default(0.8)
      .describe("Random strategies: probability a selected piece becomes [MASK] (BERT's 80 %). Salient masking always uses [MASK]."),
    keepOriginalProb: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe(
        "Random strategies: probability a selected piece keeps its id (BERT's 10 %); the rest (10 %) get a uniform random vocab id.",
      ),
    wholeWordMask: z
      .boolean()
      .default(false)
      .describe("random_token: mask all '##' continuation pieces of a word together (BERT --do_whole_word_mask, off by default)."),
    spanGeometricP: z
      .number()
      .gt(0)
      .max(1)
      .default(0.2)
      .describe('random_span: parameter p of the geometric span-length distribution, in words (SpanBERT geometric_p 0.2).'),
    minSpanWords: z
      .int()
      .min(1)
      .default(1)
      .describe('random_span: shortest span, in whole words (SpanBERT span_lower 1).'),
    maxSpanWords: z
      .int()
      .min(1)
      .default(10)
      .describe('random_span: longest span, in whole words; the geometric distribution is clipped and renormalized (SpanBERT span_upper 10).'),
  })
  .superRefine((config, ctx) => {
    if (config.replaceWithMaskProb + config.keepOriginalProb > 1 + 1e-12) {
      ctx.addIssue({
        code: 'custom',
        path: ['keepOriginalProb'],
        message: `replaceWithMaskProb + keepOriginalProb must be ≤ 1, got ${config.replaceWithMaskProb} + ${config.keepOriginalProb}`,
      });
    }
    if (config.minSpanWords > config.maxSpanWords) {
      ctx.addIssue({
        code: 'custom',
        path: ['minSpanWords'],
        message: `minSpanWords (${config.minSpanWords}) must be ≤ maxSpanWords (${config.maxSpanWords})`,
      });
    }
  })
  .readonly();

export type MaskingConfig = z.infer<typeof MaskingConfigSchema>;
export type MaskingConfigInput = z.input<typeof MaskingConfigSchema>;
