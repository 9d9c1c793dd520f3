// `realm corpus build`: raw text / JSONL → REALM retrieval + pre-training shards and ORQA block files.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildCorpus, InputFormatSchema, readInputDocuments, type InputDocument, type InputFormat } from '@realm/data';
import { buildWordPieceVocab, FullTokenizer, Vocab } from '@realm/tokenizer';
import { integerFlag } from '../flags.js';
import { startProgress } from '../progress.js';

interface BuildOptions {
  input: string[];
  out: string;
  vocab?: string;
  cased?: boolean;
  format?: string;
  textField?: string;
  shards?: number;
  maxBlockLength?: number;
  gzip: boolean;
  keepListPages?: boolean;
}

async function* allDocuments(inputs: string[], format: InputFormat | undefined, textField: string | undefined): AsyncGenerator<InputDocument> {
  for (const input of inputs) yield* readInputDocuments(input, format, textField);
}

export function registerCorpusCommands(program: Command): void {
  const corpus = program.command('corpus').description('Build REALM/ORQA corpora from your own documents');
  corpus
    .command('build')
    .description(
      'Split documents into retrieval blocks of at most 288 wordpieces (ORQA greedy sentence packing), annotate salient spans ' +
        '(entities and dates), and write retrieval/docs.tfr.gz-*, pretrain/pretrain.tfrecord.gz-*, orqa/{blocks,titles,examples}.tfr, ' +
        'vocab.txt and corpus.json into --out, atomically',
    )
    .requiredOption('--input <files...>', 'input files: .jsonl ({"title", "text"|"body"|"abstract"} per line) or plain text (one document per file)')
    .requiredOption('--out <dir>', 'output directory (must not exist yet)')
    .option('--vocab <file>', 'BERT vocab.txt (default: build a whole-word WordPiece vocab from the input)')
    .option('--cased', 'keep case (BERT cased vocab); default is uncased')
    .option('--format <format>', 'input format for every file: jsonl or text (default: by extension)')
    .option('--text-field <name>', 'JSONL field holding the body text')
    .option('--shards <n>', 'number of shards (default 8)', integerFlag('--shards', { min: 1 }))
    .option('--max-block-length <n>', 'block budget in wordpieces including [CLS] title [SEP] ... [SEP] (default 288)', integerFlag('--max-block-length', { min: 8 }))
    .option('--no-gzip', 'write the shards uncompressed')
    .option('--keep-list-pages', 'keep "List of ..." and disambiguation pages, which ORQA drops')
    .action(async (options: BuildOptions) => {
      const format = options.format === undefined ? undefined : InputFormatSchema.parse(options.format);
      const doLowerCase = !options.cased;
      let vocab: Vocab;
      if (options.vocab) {
        let text: string;
        try {
          text = await readFile(options.vocab, 'utf8');
        } catch (error) {
          throw new Error(`cannot read vocab file ${options.vocab}: ${(error as Error).message}`);
        }
        vocab = Vocab.fromText(text, options.vocab);
      } else {
        const texts: string[] = [];
        for await (const doc of allDocuments(options.input, format, options.textField)) texts.push(doc.title, doc.text);
        vocab = new Vocab(buildWordPieceVocab(texts, { doLowerCase }), 'built from the input');
        console.error(`corpus build: built a ${vocab.size}-entry vocabulary from the input (pass --vocab for a BERT vocab)`);
      }
      const tokenizer = new FullTokenizer(vocab, { doLowerCase });
      const progress = startProgress('corpus build', undefined, 'documents');
      const stats = await buildCorpus(
        allDocuments(options.input, format, options.textField),
        tokenizer,
        options.out,
        {
          ...(options.shards !== undefined && { numShards: options.shards }),
          ...(options.maxBlockLength !== undefined && { maxBlockLength: options.maxBlockLength }),
          gzip: options.gzip,
          excludeListPages: !options.keepListPages,
        },
        (p) => progress.update(p.documents, `${p.blocks} blocks, ${p.phase}`),
      );
      progress.stop(`${stats.documents} documents → ${stats.blocks} blocks`);
      console.log(JSON.stringify({ out: options.out, ...stats }));
    });
}
