// Precision/recall of a salient-span annotator against hand-labelled spans (exact-match, as in
// CoNLL NER scoring): per label, overall labelled, and overall boundary-only (REALM masks ignore labels).
import type { CharSpan } from '../types.js';

/** One labelled sentence: its text and gold spans. */
export interface LabelledSample {
  text: string;
  spans: readonly CharSpan[];
}

export interface PrecisionRecall {
  truePositives: number;
  predicted: number;
  gold: number;
  /** truePositives / predicted (1 when nothing was predicted). */
  precision: number;
  /** truePositives / gold (1 when there is no gold span). */
  recall: number;
  f1: number;
}

export interface SalientScores {
  /** Exact start, end and label. */
  labelled: PrecisionRecall;
  /** Exact start and end, any label: what matters for masking. */
  unlabelled: PrecisionRecall;
  /** Labelled scores restricted to one label (gold and predicted with that label). */
  perLabel: Record<string, PrecisionRecall>;
}

function score(truePositives: number, predicted: number, gold: number): PrecisionRecall {
  const precision = predicted === 0 ? 1 : truePositives / predicted;
  const recall = gold === 0 ? 1 : truePositives / gold;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives, predicted, gold, precision, recall, f1 };
}

/** Scores `annotate` on every sample; a span counts as correct only on an exact match. */
export function scoreSalientSpans(samples: readonly LabelledSample[], annotate: (text: string) => readonly CharSpan[]): SalientScores {
  const counts = new Map<string, { tp: number; predicted: number; gold: number }>();
  const bump = (label: string, field: 'tp' | 'predicted' | 'gold'): void => {
    const c = counts.get(label) ?? { tp: 0, predicted: 0, gold: 0 };
    c[field]++;
    counts.set(label, c);
  };
  let labelledTp = 0;
  let unlabelledTp = 0;
  let predictedTotal = 0;
  let goldTotal = 0;
  for (const sample of samples) {
    const predicted = annotate(sample.text);
    const goldKeys = new Set(sample.spans.map((s) => `${s.start}:${s.end}:${s.label ?? ''}`));
    const goldBounds = new Set(sample.spans.map((s) => `${s.start}:${s.end}`));
    for (const span of sample.spans) bump(span.label ?? '', 'gold');
    for (const span of predicted) {
      bump(span.label ?? '', 'predicted');
      if (goldKeys.has(`${span.start}:${span.end}:${span.label ?? ''}`)) {
        labelledTp++;
        bump(span.label ?? '', 'tp');
      }
      if (goldBounds.has(`${span.start}:${span.end}`)) unlabelledTp++;
    }
    predictedTotal += predicted.length;
    goldTotal += sample.spans.length;
  }
  const perLabel: Record<string, PrecisionRecall> = {};
  for (const [label, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) perLabel[label] = score(c.tp, c.predicted, c.gold);
  return {
    labelled: score(labelledTp, predictedTotal, goldTotal),
    unlabelled: score(unlabelledTp, predictedTotal, goldTotal),
    perLabel,
  };
}
