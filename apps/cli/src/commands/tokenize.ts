// `realm tokenize`: BERT FullTokenizer over stdin lines, one JSON object per line on stdout.
// Reads the vocab file here (the tokenizer package does no I/O) and streams stdin with readline.
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { positiveIntegerFlag } from '../flags.js';
import { FullTokenizer, Vocab } from '@realm/tokenizer';

interface TokenizeOptions {
  vocab: string;
  cased?: boolean;
  maxCharsPerWord?: number;
}

async function loadVocab(path: string): Promise<Vocab> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    throw new Error(`tokenize: cannot read vocab file ${path}: ${reason}`);
  }
  return Vocab.fromText(text, path);
}

/** Writes through a buffer, waiting for stdout to drain, so large inputs stream in bounded memory. */
async function writeBuffered(chunks: string[], force: boolean): Promise<void> {
  if (chunks.length === 0 || (!force && chunks.length < 256)) return;
  const ok = process.stdout.write(chunks.join(''));
  chunks.length = 0;
  if (!ok) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}

export function registerTokenizeCommand(program: Command): void {
  program
    .command('tokenize')
    .description('Tokenize stdin line by line with BERT WordPiece; prints {"tokens": [...], "ids": [...]} per line')
    .requiredOption('--vocab <file>', 'BERT vocab.txt (one token per line; id = line number)')
    .option('--cased', 'keep case and accents (do_lower_case=false); the default is uncased', false)
    .option('--max-chars-per-word <n>', 'words with more characters become [UNK] (default 200, as google-research/bert)', positiveIntegerFlag('--max-chars-per-word'))
    .action(async (options: TokenizeOptions) => {
      const vocab = await loadVocab(options.vocab);
      const tokenizer = new FullTokenizer(vocab, {
        doLowerCase: !options.cased,
        ...(options.maxCharsPerWord !== undefined && { maxInputCharsPerWord: options.maxCharsPerWord }),
      });
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
      const pending: string[] = [];
      for await (const line of lines) {
        const encoding = tokenizer.encode(line);
        pending.push(`${JSON.stringify({ tokens: encoding.tokens, ids: Array.from(encoding.ids) })}\n`);
        await writeBuffered(pending, false);
      }
      await writeBuffered(pending, true);
    });
}
