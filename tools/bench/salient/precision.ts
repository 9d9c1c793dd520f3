// Prints precision/recall of annotateSalientSpans (compromise entities + regex dates) per label on
// the hand-labelled sample packages/tokenizer/test/salient-sample.json.
// Run: npx tsx tools/bench/salient/precision.ts [--errors]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { annotateSalientSpans, loadSalientAnnotator, scoreSalientSpans, type LabelledSample, type PrecisionRecall } from '../../../packages/tokenizer/src/index.js';

await loadSalientAnnotator();

const samplePath = fileURLToPath(new URL('../../../packages/tokenizer/test/salient-sample.json', import.meta.url));
const { sentences } = JSON.parse(readFileSync(samplePath, 'utf8')) as { sentences: LabelledSample[] };

const started = performance.now();
const scores = scoreSalientSpans(sentences, (text) => annotateSalientSpans(text).spans);
const elapsedMs = performance.now() - started;

const row = (name: string, s: PrecisionRecall): string =>
  `${name.padEnd(11)} ${s.precision.toFixed(3).padStart(9)} ${s.recall.toFixed(3).padStart(7)} ${s.f1.toFixed(3).padStart(6)} ${String(s.truePositives).padStart(4)} ${String(s.predicted).padStart(5)} ${String(s.gold).padStart(5)}`;
console.log(`${sentences.length} sentences from ${samplePath}`);
console.log(`${'label'.padEnd(11)} precision  recall     f1   tp  pred  gold`);
for (const [label, s] of Object.entries(scores.perLabel)) console.log(row(label, s));
console.log(row('all', scores.labelled));
console.log(row('boundaries', scores.unlabelled));
console.log(`annotation time: ${(elapsedMs / sentences.length).toFixed(2)} ms/sentence (includes compromise warm-up)`);

if (process.argv.includes('--errors')) {
  for (const sample of sentences) {
    const predicted = annotateSalientSpans(sample.text).spans;
    const key = (s: { start: number; end: number; label?: string }): string => `${s.start}:${s.end}:${s.label}`;
    const gold = new Set(sample.spans.map(key));
    const got = new Set(predicted.map(key));
    const show = (s: { start: number; end: number; label?: string }): string => `${s.label} "${sample.text.slice(s.start, s.end)}"`;
    const falsePositives = predicted.filter((s) => !gold.has(key(s))).map(show);
    const misses = sample.spans.filter((s) => !got.has(key(s))).map(show);
    if (falsePositives.length + misses.length > 0) {
      console.log(`\n${sample.text}\n  extra: ${falsePositives.join(', ') || '-'}\n  missed: ${misses.join(', ') || '-'}`);
    }
  }
}
