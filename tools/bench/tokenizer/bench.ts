// Tokenizer throughput benchmark: @realm/tokenizer FullTokenizer vs @huggingface/tokenizers (pure JS)
// on the shared corpora, one core, line by line; also checks both produce the same wordpieces.
// Run: npx tsx tools/bench/tokenizer/bench.ts [--reps N]   → table on stdout, bench-results/tokenizer.json
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { FullTokenizer, Vocab } from '../../../packages/tokenizer/src/index.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FIXTURES = process.env.REALM_FIXTURES ?? resolve(REPO, '..', 'shared', 'fixtures');
const VOCAB_FILE = join(FIXTURES, 'bert_vocab/uncased_L-12_H-768_A-12/vocab.txt');
const OUT_FILE = join(REPO, 'bench-results', 'tokenizer.json');
const MAX_CHARS_PER_WORD = 200; // google-research/bert's default; HF's model gets the same value
const repsArg = process.argv.indexOf('--reps');
const REPS = repsArg > 0 ? Number(process.argv[repsArg + 1]) : 5;

interface Corpus {
  name: string;
  lines: string[];
  bytes: number;
}

/** Lines of a text file (CRLF-aware), or title + abstract of each Wikipedia JSONL record. */
function loadCorpora(): Corpus[] {
  const textLines = (path: string): string[] => readFileSync(join(FIXTURES, path), 'utf8').split(/\r?\n/);
  const abstracts = readFileSync(join(FIXTURES, 'corpus/wikipedia_abstracts_sample_500.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line, index) => {
      const record = JSON.parse(line) as { title?: unknown; abstract?: unknown };
      if (typeof record.title !== 'string' || typeof record.abstract !== 'string') {
        throw new Error(`wikipedia_abstracts_sample_500.jsonl line ${index + 1}: expected string fields title and abstract`);
      }
      return [record.title, record.abstract];
    });
  const corpora = [
    { name: 'wikitext-2 test', lines: textLines('corpus/wikitext-2-raw/wiki.test.raw') },
    { name: 'botchan', lines: textLines('corpus/botchan.txt') },
    { name: 'wikipedia abstracts', lines: abstracts },
  ];
  return corpora.map((c) => ({ ...c, bytes: c.lines.reduce((sum, line) => sum + Buffer.byteLength(line, 'utf8'), 0) }));
}

/** A Hugging Face tokenizer.json for BERT uncased built from the same vocab.txt. */
function buildHfTokenizer(vocab: Vocab): HfTokenizer {
  const vocabMap: Record<string, number> = Object.create(null) as Record<string, number>;
  vocab.tokens.forEach((token, id) => {
    vocabMap[token] = id;
  });
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    // No added tokens: BERT's FullTokenizer has no never_split, so "[MASK]" in text is split too.
    added_tokens: [],
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: MAX_CHARS_PER_WORD, vocab: vocabMap },
  };
  return new HfTokenizer(tokenizerJson, { do_lower_case: true });
}

interface Timing {
  seconds: number;
  tokens: number;
}

/** Best of REPS timed passes (after one warm-up pass) of `run` over every line. */
function time(lines: string[], run: (line: string) => number): Timing {
  let tokens = 0;
  for (const line of lines) tokens += run(line);
  let best = Infinity;
  for (let rep = 0; rep < REPS; rep++) {
    const t0 = performance.now();
    for (const line of lines) run(line);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return { seconds: best, tokens };
}

interface Mismatch {
  line: number;
  text: string;
  ours: string[];
  huggingface: string[];
}

function compare(lines: string[], ours: FullTokenizer, hf: HfTokenizer): { mismatchedLines: number; examples: Mismatch[] } {
  const examples: Mismatch[] = [];
  let mismatchedLines = 0;
  lines.forEach((text, index) => {
    const a = ours.tokenize(text);
    const b = hf.tokenize(text);
    if (a.length === b.length && a.every((token, k) => token === b[k])) return;
    mismatchedLines++;
    if (examples.length < 5) {
      // Show the neighbourhood of the first differing token.
      let k = 0;
      while (k < a.length && a[k] === b[k]) k++;
      examples.push({ line: index + 1, text: text.length > 200 ? `${text.slice(0, 200)}…` : text, ours: a.slice(Math.max(0, k - 3), k + 5), huggingface: b.slice(Math.max(0, k - 3), k + 5) });
    }
  });
  return { mismatchedLines, examples };
}

async function nativeBindingStatus(): Promise<string> {
  try {
    // Only the pure-JS package is installed; the native binding's npm registry entry serves no
    // linux-x64 binary, so installation failed. Probe in case someone adds it later.
    await import('tokenizers' as string);
    return 'installed (not benchmarked by this script)';
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return `unavailable: the npm registry serves no linux-x64 binary for the native \`tokenizers\` binding, so it could not be installed (${reason})`;
  }
}

function mbPerSecond(bytes: number, t: Timing): number {
  return bytes / 1e6 / t.seconds;
}

async function main(): Promise<void> {
  const vocab = Vocab.fromText(readFileSync(VOCAB_FILE, 'utf8'), VOCAB_FILE);
  const ours = new FullTokenizer(vocab, { doLowerCase: true, maxInputCharsPerWord: MAX_CHARS_PER_WORD });
  const hf = buildHfTokenizer(vocab);
  const corpora = loadCorpora();
  const results = [];
  for (const corpus of corpora) {
    const methods = {
      'ours tokenize': time(corpus.lines, (line) => ours.tokenize(line).length),
      'ours encodeIds': time(corpus.lines, (line) => ours.encodeIds(line).length),
      'ours encode (+offsets)': time(corpus.lines, (line) => ours.encode(line).ids.length),
      'hf tokenize': time(corpus.lines, (line) => hf.tokenize(line).length),
      'hf encode': time(corpus.lines, (line) => hf.encode(line, { add_special_tokens: false }).ids.length),
    };
    const agreement = compare(corpus.lines, ours, hf);
    results.push({
      corpus: corpus.name,
      lines: corpus.lines.length,
      bytes: corpus.bytes,
      methods: Object.fromEntries(
        Object.entries(methods).map(([name, t]) => [name, { seconds: t.seconds, tokens: t.tokens, mbPerSecond: mbPerSecond(corpus.bytes, t), tokensPerSecond: t.tokens / t.seconds }]),
      ),
      speedupTokenize: methods['hf tokenize'].seconds / methods['ours tokenize'].seconds,
      speedupIds: methods['hf encode'].seconds / methods['ours encodeIds'].seconds,
      mismatchedLines: agreement.mismatchedLines,
      mismatchExamples: agreement.examples,
    });
  }

  const native = await nativeBindingStatus();
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, one core, best of ${REPS} passes after a warm-up`);
  console.log('corpus               | method                  |   MB/s | Mtokens/s | tokens');
  console.log('---------------------|-------------------------|--------|-----------|--------');
  for (const r of results) {
    for (const [name, m] of Object.entries(r.methods)) {
      console.log(`${r.corpus.padEnd(20)} | ${name.padEnd(23)} | ${m.mbPerSecond.toFixed(2).padStart(6)} | ${(m.tokensPerSecond / 1e6).toFixed(3).padStart(9)} | ${m.tokens}`);
    }
    console.log(`${r.corpus.padEnd(20)} | ours/hf speed: tokenize ×${r.speedupTokenize.toFixed(2)}, ids ×${r.speedupIds.toFixed(2)}; lines with different tokens: ${r.mismatchedLines}/${r.lines}`);
    for (const m of r.mismatchExamples) console.log(`  line ${m.line}: ${JSON.stringify(m.text)}\n    ours ${JSON.stringify(m.ours)}\n    hf   ${JSON.stringify(m.huggingface)}`);
  }
  console.log(`native tokenizers binding: ${native}`);

  const totalBytes = results.reduce((s, r) => s + r.bytes, 0);
  const totalSeconds = (method: string): number => results.reduce((s, r) => s + (r.methods as Record<string, { seconds: number }>)[method].seconds, 0);
  const summary = {
    oursTokenizeMBps: totalBytes / 1e6 / totalSeconds('ours tokenize'),
    hfTokenizeMBps: totalBytes / 1e6 / totalSeconds('hf tokenize'),
    ratioOursOverHf: totalSeconds('hf tokenize') / totalSeconds('ours tokenize'),
  };
  console.log(`all corpora: ours ${summary.oursTokenizeMBps.toFixed(2)} MB/s vs hf ${summary.hfTokenizeMBps.toFixed(2)} MB/s → ours is ×${summary.ratioOursOverHf.toFixed(2)}`);

  mkdirSync(dirname(OUT_FILE), { recursive: true });
  const report = { date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, reps: REPS, maxInputCharsPerWord: MAX_CHARS_PER_WORD, nativeTokenizers: native, summary, results };
  writeFileSync(OUT_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${OUT_FILE}`);
}

await main();
