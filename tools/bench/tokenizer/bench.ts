// Tokenizer throughput benchmark: @realm/tokenizer FullTokenizer vs Hugging Face's Rust tokenizers (native
// napi binding @anush008/tokenizers) and @huggingface/tokenizers (pure JS) on the shared corpora, one core,
// line by line; also checks all three produce the same wordpieces.
// Run: npx tsx tools/bench/tokenizer/bench.ts [--reps N]   → table on stdout, bench-results/tokenizer.json
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { FullTokenizer, Vocab } from '../../../packages/tokenizer/src/index.js';
import { explainMismatch, KNOWN_DIFFERENCES } from './known-differences.js';
import { buildNativeTokenizer, loadNativeBinding, NATIVE_ENCODE_OPTIONS, NATIVE_PACKAGE, type NativeTokenizer } from './native-binding.js';

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
  /** Process CPU time (every thread) during the fastest pass: ≈ seconds when one core did the work. */
  cpuSeconds: number;
  tokens: number;
}

/** Best of REPS timed passes (after one warm-up pass that also counts the tokens). */
async function time(lines: string[], pass: (lines: string[]) => number | Promise<number>): Promise<Timing> {
  const tokens = await pass(lines);
  let best = { seconds: Infinity, cpuSeconds: 0 };
  for (let rep = 0; rep < REPS; rep++) {
    const cpuBefore = process.cpuUsage();
    const t0 = performance.now();
    await pass(lines);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    if (seconds < best.seconds) best = { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  }
  return { ...best, tokens };
}

/** A synchronous pass calling `run` on each line in turn. */
function eachLine(run: (line: string) => number): (lines: string[]) => number {
  return (lines) => {
    let tokens = 0;
    for (const line of lines) tokens += run(line);
    return tokens;
  };
}

/** Native single-line encodes, awaited one at a time (each runs on one libuv worker thread). */
function nativeEachLine(native: NativeTokenizer, read: 'ids' | 'tokens'): (lines: string[]) => Promise<number> {
  return async (lines) => {
    let tokens = 0;
    for (const line of lines) {
      const encoding = await native.encode(line, null, NATIVE_ENCODE_OPTIONS);
      tokens += read === 'ids' ? encoding.getIds().length : encoding.getTokens().length;
    }
    return tokens;
  };
}

/** One native batch call over the whole corpus; TOKENIZERS_PARALLELISM=false makes it a serial loop. */
function nativeBatch(native: NativeTokenizer): (lines: string[]) => Promise<number> {
  return async (lines) => (await native.encodeBatch(lines, NATIVE_ENCODE_OPTIONS)).reduce((sum, encoding) => sum + encoding.getIds().length, 0);
}

interface Mismatch {
  line: number;
  text: string;
  ours: string[];
  theirs: string[];
  /** Names of the known differences that account for this line, or null. */
  explanation: string[] | null;
}

interface Agreement {
  mismatchedLines: number;
  /** Mismatched lines fully accounted for by known Hugging Face vs google-research/bert differences. */
  explainedLines: number;
  /** Known differences seen, with how many lines each explained. */
  explanations: Record<string, number>;
  examples: Mismatch[];
}

const SHOWN_EXAMPLES = 5;

/** Line-by-line token agreement of ours with another tokenizer, unexplained differences shown first. */
async function compare(lines: string[], ours: FullTokenizer, ourTokens: string[][], theirTokens: string[][], tokenizeTheirs: (text: string) => string[] | Promise<string[]>): Promise<Agreement> {
  const agreement: Agreement = { mismatchedLines: 0, explainedLines: 0, explanations: {}, examples: [] };
  const unexplained: Mismatch[] = [];
  const explained: Mismatch[] = [];
  for (const [index, text] of lines.entries()) {
    const a = ourTokens[index];
    const b = theirTokens[index];
    if (a.length === b.length && a.every((token, k) => token === b[k])) continue;
    agreement.mismatchedLines++;
    const explanation = await explainMismatch(text, (t) => ours.tokenize(t), tokenizeTheirs);
    if (explanation !== null) {
      agreement.explainedLines++;
      for (const name of explanation) agreement.explanations[name] = (agreement.explanations[name] ?? 0) + 1;
    }
    // Show the neighbourhood of the first differing token.
    let k = 0;
    while (k < a.length && a[k] === b[k]) k++;
    const example = { line: index + 1, text: text.length > 200 ? `${text.slice(0, 200)}…` : text, ours: a.slice(Math.max(0, k - 3), k + 5), theirs: b.slice(Math.max(0, k - 3), k + 5), explanation };
    (explanation === null ? unexplained : explained).push(example);
  }
  agreement.examples = [...unexplained, ...explained].slice(0, SHOWN_EXAMPLES);
  return agreement;
}

function mbPerSecond(bytes: number, t: Timing): number {
  return bytes / 1e6 / t.seconds;
}

/** Above this CPU/wall ratio a pass used more than one core and is not a one-core number. */
const ONE_CORE_CPU_RATIO = 1.3;
const NATIVE_METHODS = ['native encode', 'native encodeBatch'] as const;

interface MethodResult {
  seconds: number;
  cpuSeconds: number;
  tokens: number;
  mbPerSecond: number;
  tokensPerSecond: number;
}

interface CorpusResult {
  corpus: string;
  lines: number;
  bytes: number;
  methods: Record<string, MethodResult>;
  nativeBestMethod: string | null;
  ratios: Record<'oursIdsOverNative' | 'oursOffsetsOverNative' | 'oursTokenizeOverPureJs' | 'oursIdsOverPureJs', number | null>;
  agreement: { native: Agreement | null; pureJs: Agreement };
}

/** JSON-quoted text with invisible (category C) chars written as \u{…} escapes. */
function visible(text: string): string {
  return JSON.stringify(text).replace(/\p{C}/gu, (char) => `\\u{${char.codePointAt(0)?.toString(16).toUpperCase() ?? ''}}`);
}

function printAgreement(label: string, lines: number, agreement: Agreement): void {
  const unexplained = agreement.mismatchedLines - agreement.explainedLines;
  console.log(`  ${label}: lines with different tokens ${agreement.mismatchedLines}/${lines} (${agreement.explainedLines} explained by known HF-vs-Google differences, ${unexplained} unexplained)`);
  for (const [name, count] of Object.entries(agreement.explanations)) {
    const explanation = KNOWN_DIFFERENCES.find((d) => d.name === name)?.explanation ?? '';
    console.log(`    known difference "${name}" (${count} lines): ${explanation}`);
  }
  for (const m of agreement.examples) {
    const label = m.explanation === null ? 'UNEXPLAINED' : `known: ${m.explanation.join(', ')}`;
    console.log(`    line ${m.line} [${label}]: ${visible(m.text)}\n      ours   ${JSON.stringify(m.ours)}\n      theirs ${JSON.stringify(m.theirs)}`);
  }
}

async function main(): Promise<void> {
  const vocab = Vocab.fromText(readFileSync(VOCAB_FILE, 'utf8'), VOCAB_FILE);
  const ours = new FullTokenizer(vocab, { doLowerCase: true, maxInputCharsPerWord: MAX_CHARS_PER_WORD });
  const pureJs = buildHfTokenizer(vocab);
  const loaded = loadNativeBinding();
  const native = 'binding' in loaded ? buildNativeTokenizer(loaded.binding, vocab.tokens, MAX_CHARS_PER_WORD) : null;
  const nativeStatus = native ? `${NATIVE_PACKAGE} (Hugging Face Rust tokenizers via napi-rs), TOKENIZERS_PARALLELISM=false, RAYON_NUM_THREADS=1` : `unavailable: could not load ${NATIVE_PACKAGE} (${'error' in loaded ? loaded.error : 'unknown error'})`;
  const corpora = loadCorpora();
  const loadBefore = loadavg();
  const results: CorpusResult[] = [];
  for (const corpus of corpora) {
    const methods: Record<string, Timing> = {
      'ours tokenize': await time(corpus.lines, eachLine((line) => ours.tokenize(line).length)),
      'ours encodeIds': await time(corpus.lines, eachLine((line) => ours.encodeIds(line).length)),
      'ours encode (+offsets)': await time(corpus.lines, eachLine((line) => ours.encode(line).ids.length)),
      'pure-JS tokenize': await time(corpus.lines, eachLine((line) => pureJs.tokenize(line).length)),
      'pure-JS encode': await time(corpus.lines, eachLine((line) => pureJs.encode(line, { add_special_tokens: false }).ids.length)),
    };
    if (native) {
      methods['native encode'] = await time(corpus.lines, nativeEachLine(native, 'ids'));
      methods['native encode → tokens'] = await time(corpus.lines, nativeEachLine(native, 'tokens'));
      methods['native encodeBatch'] = await time(corpus.lines, nativeBatch(native));
    }
    const ourTokens = corpus.lines.map((line) => ours.tokenize(line));
    const tokenizePureJs = (text: string): string[] => pureJs.tokenize(text);
    const pureJsAgreement = await compare(corpus.lines, ours, ourTokens, corpus.lines.map(tokenizePureJs), tokenizePureJs);
    let nativeAgreement: Agreement | null = null;
    let nativeBest: string | null = null;
    if (native) {
      const tokenizeNative = async (text: string): Promise<string[]> => (await native.encode(text, null, NATIVE_ENCODE_OPTIONS)).getTokens();
      const nativeTokens: string[][] = [];
      for (const line of corpus.lines) nativeTokens.push(await tokenizeNative(line));
      nativeAgreement = await compare(corpus.lines, ours, ourTokens, nativeTokens, tokenizeNative);
      nativeBest = bestOneCore(methods);
    }
    const speedOver = (theirs: string | null, oursMethod: string): number | null => (theirs === null ? null : methods[theirs].seconds / methods[oursMethod].seconds);
    results.push({
      corpus: corpus.name,
      lines: corpus.lines.length,
      bytes: corpus.bytes,
      methods: Object.fromEntries(
        Object.entries(methods).map(([name, t]) => [name, { seconds: t.seconds, cpuSeconds: t.cpuSeconds, tokens: t.tokens, mbPerSecond: mbPerSecond(corpus.bytes, t), tokensPerSecond: t.tokens / t.seconds }]),
      ),
      nativeBestMethod: nativeBest,
      // Speed ratios, >1 when ours is faster: ids vs ids, and ours with offsets vs native (which always computes offsets).
      ratios: {
        oursIdsOverNative: speedOver(nativeBest, 'ours encodeIds'),
        oursOffsetsOverNative: speedOver(nativeBest, 'ours encode (+offsets)'),
        oursTokenizeOverPureJs: speedOver('pure-JS tokenize', 'ours tokenize'),
        oursIdsOverPureJs: speedOver('pure-JS encode', 'ours encodeIds'),
      },
      agreement: { native: nativeAgreement, pureJs: pureJsAgreement },
    });
  }

  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, one core, best of ${REPS} passes after a warm-up; load average (1/5/15 min) before ${loads(loadBefore)}, after ${loads(loadavg())}`);
  console.log(`native: ${nativeStatus}`);
  console.log('corpus               | method                  |   MB/s | Mtokens/s | cpu/wall | tokens');
  console.log('---------------------|-------------------------|--------|-----------|----------|--------');
  for (const r of results) {
    for (const [name, m] of Object.entries(r.methods)) {
      const cpuRatio = m.cpuSeconds / m.seconds;
      console.log(`${r.corpus.padEnd(20)} | ${name.padEnd(23)} | ${m.mbPerSecond.toFixed(2).padStart(6)} | ${(m.tokensPerSecond / 1e6).toFixed(3).padStart(9)} | ${cpuRatio.toFixed(2).padStart(8)} | ${m.tokens}`);
    }
    const x = (ratio: number | null): string => (ratio === null ? 'n/a' : `×${ratio.toFixed(2)}`);
    console.log(
      `${r.corpus.padEnd(20)} | ours speed over native (${r.nativeBestMethod ?? 'unavailable'}): ids ${x(r.ratios.oursIdsOverNative)}, ids+offsets ${x(r.ratios.oursOffsetsOverNative)}; over pure-JS: tokenize ${x(r.ratios.oursTokenizeOverPureJs)}, ids ${x(r.ratios.oursIdsOverPureJs)}`,
    );
    if (r.agreement.native) printAgreement('ours vs native', r.lines, r.agreement.native);
    printAgreement('ours vs pure-JS', r.lines, r.agreement.pureJs);
  }

  // The known differences on short probe texts, so the record shows them even when no corpus line hits one.
  const knownDifferences = [];
  for (const difference of KNOWN_DIFFERENCES) {
    const probe = difference.probe;
    const entry = { name: difference.name, explanation: difference.explanation, probe, ours: ours.tokenize(probe), native: native ? (await native.encode(probe, null, NATIVE_ENCODE_OPTIONS)).getTokens() : null, pureJs: pureJs.tokenize(probe) };
    knownDifferences.push(entry);
    console.log(`known difference "${entry.name}": ${entry.explanation}\n  probe ${visible(probe)}: ours ${JSON.stringify(entry.ours)}, native ${JSON.stringify(entry.native)}, pure-JS ${JSON.stringify(entry.pureJs)}`);
  }

  const totalBytes = results.reduce((s, r) => s + r.bytes, 0);
  const totalSeconds = (method: string): number => results.reduce((s, r) => s + (r.methods[method]?.seconds ?? NaN), 0);
  const nativeMethod = native ? bestOneCore(Object.fromEntries(NATIVE_METHODS.map((m) => [m, { seconds: totalSeconds(m), cpuSeconds: results.reduce((s, r) => s + r.methods[m].cpuSeconds, 0), tokens: 0 }]))) : null;
  const ratio = (theirs: string | null, oursMethod: string): number | null => (theirs === null ? null : totalSeconds(theirs) / totalSeconds(oursMethod));
  const summary = {
    oursTokenizeMBps: totalBytes / 1e6 / totalSeconds('ours tokenize'),
    oursIdsMBps: totalBytes / 1e6 / totalSeconds('ours encodeIds'),
    oursOffsetsMBps: totalBytes / 1e6 / totalSeconds('ours encode (+offsets)'),
    nativeMethod,
    nativeMBps: nativeMethod === null ? null : totalBytes / 1e6 / totalSeconds(nativeMethod),
    pureJsTokenizeMBps: totalBytes / 1e6 / totalSeconds('pure-JS tokenize'),
    pureJsIdsMBps: totalBytes / 1e6 / totalSeconds('pure-JS encode'),
    ratioOursIdsOverNative: ratio(nativeMethod, 'ours encodeIds'),
    ratioOursOffsetsOverNative: ratio(nativeMethod, 'ours encode (+offsets)'),
    ratioOursTokenizeOverPureJs: ratio('pure-JS tokenize', 'ours tokenize'),
    ratioOursIdsOverPureJs: ratio('pure-JS encode', 'ours encodeIds'),
  };
  const mb = (value: number | null): string => (value === null ? 'n/a' : `${value.toFixed(2)} MB/s`);
  const x = (value: number | null): string => (value === null ? 'n/a' : `×${value.toFixed(2)}`);
  console.log(
    `all corpora: ours ids ${mb(summary.oursIdsMBps)} (+offsets ${mb(summary.oursOffsetsMBps)}) vs ${nativeMethod ?? 'native'} ${mb(summary.nativeMBps)} → ours/native ${x(summary.ratioOursIdsOverNative)} (with offsets ${x(summary.ratioOursOffsetsOverNative)})`,
  );
  console.log(`all corpora: ours tokenize ${mb(summary.oursTokenizeMBps)} vs pure-JS ${mb(summary.pureJsTokenizeMBps)} → ours/pure-JS ${x(summary.ratioOursTokenizeOverPureJs)} (ids ${x(summary.ratioOursIdsOverPureJs)})`);

  mkdirSync(dirname(OUT_FILE), { recursive: true });
  const report = { date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, loadAverage: { before: loadBefore, after: loadavg() }, reps: REPS, maxInputCharsPerWord: MAX_CHARS_PER_WORD, nativeTokenizers: nativeStatus, summary, knownDifferences, results };
  writeFileSync(OUT_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${OUT_FILE}`);
}

function loads(averages: number[]): string {
  return averages.map((x) => x.toFixed(2)).join(' ');
}

/** The faster native method whose pass kept to one core (CPU/wall under ONE_CORE_CPU_RATIO). */
function bestOneCore(methods: Record<string, Timing>): string {
  const oneCore = NATIVE_METHODS.filter((m) => methods[m].cpuSeconds / methods[m].seconds < ONE_CORE_CPU_RATIO);
  if (oneCore.length === 0) throw new Error(`every native method used more than one core (CPU/wall ≥ ${ONE_CORE_CPU_RATIO}); check TOKENIZERS_PARALLELISM`);
  return oneCore.reduce((best, m) => (methods[m].seconds < methods[best].seconds ? m : best));
}

await main();
