// `realm demo`: the main job on the built-in world, end to end as far as the pipeline exists today:
// world → REALM corpora (retrieval shards, ORQA blocks, salient-span pre-training shards) → read back
// → REALM salient-span masking. Pre-training, fine-tuning and `realm ask` join as they land.
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  generateWorld,
  pretrainRecordFromExample,
  readTfExamples,
  retrievalDocumentFromExample,
  storageFor,
  WORLD_REALM_LAYOUT,
  writeWorld,
  writeWorldRealmCorpora,
} from '@realm/data';
import {
  buildWordPieceVocab,
  createRealmQuery,
  createRng,
  FullTokenizer,
  MaskingConfigSchema,
  salientRecordFromFields,
  Vocab,
  type RealmQuery,
} from '@realm/tokenizer';
import { integerFlag, numberFlag } from '../flags.js';

interface DemoOptions {
  out: string;
  seed: number;
  scale?: number;
  smoke?: boolean;
  json?: boolean;
}

const log = (message: string) => console.error(`demo: ${message}`);

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Run the main job on the built-in world: generate it, write REALM corpora, read them back and build masked queries')
    .requiredOption('--out <dir>', 'output directory (must not hold a previous demo)')
    .option('--seed <n>', 'seed for the world and the masking', integerFlag('--seed'), 13)
    .option('--scale <x>', 'world size multiplier (default 1; 0.25 with --smoke)', numberFlag('--scale'))
    .option('--smoke', 'a quick, small run (used by npm test)')
    .option('--json', 'end with one JSON line of results on stdout')
    .action(async (options: DemoOptions) => {
      const started = Date.now();
      const scale = options.scale ?? (options.smoke ? 0.25 : 1);

      const world = generateWorld({ seed: options.seed, scale });
      await writeWorld(world, join(options.out, 'world'));
      log(`world: ${world.documents.length} documents, ${world.facts.length} facts, ` +
        `${world.pretrain.train.length} training / ${world.pretrain.heldout.length} held-out sentences → ${join(options.out, 'world')}`);

      // The world ships no BERT vocab: build a whole-word WordPiece vocab from its own text.
      const texts = [...world.documents.flatMap((d) => [d.title, d.body]), ...world.pretrain.train.map((r) => r.text), ...world.qa.train.map((q) => q.question)];
      const tokenizer = new FullTokenizer(new Vocab(buildWordPieceVocab(texts), 'built-in world'));
      const realmDir = join(options.out, 'realm');
      const written = await writeWorldRealmCorpora(world, tokenizer, realmDir);
      log(`REALM corpora: ${written.corpus.blocks} retrieval blocks, ${written.pretrainTrain} + ${written.pretrainHeldout} pre-training records → ${realmDir}`);

      // Read everything back through the same readers the generators will use.
      const storage = await storageFor(realmDir);
      let blocks = 0;
      for (const shard of await storage.glob(join(realmDir, 'corpus/retrieval/docs.tfr.gz-*-of-*'))) {
        for await (const { example } of readTfExamples(shard)) {
          retrievalDocumentFromExample(example, shard);
          blocks += 1;
        }
      }
      const special = tokenizer.vocab.specialTokenIds();
      const masking = MaskingConfigSchema.parse({});
      const rng = createRng(options.seed);
      const queries: RealmQuery[] = [];
      let skipped = 0;
      for (const shard of await storage.glob(join(realmDir, `${WORLD_REALM_LAYOUT.pretrainHeldout}-*-of-*`))) {
        for await (const { example } of readTfExamples(shard)) {
          const record = pretrainRecordFromExample(example, shard);
          const salient = salientRecordFromFields(record.text, {
            sentence_byte_start: record.sentenceByteStart, sentence_byte_limit: record.sentenceByteLimit,
            span_byte_start: record.spanByteStart, span_byte_limit: record.spanByteLimit, span_type: record.spanType,
          });
          const query = createRealmQuery(salient, masking, (text) => tokenizer.tokenizeWithOffsets(text),
            { maskId: special.mask, vocabSize: tokenizer.vocab.size }, rng);
          if (query.ok) queries.push(query);
          else skipped += 1;
        }
      }
      if (blocks !== written.corpus.blocks) throw new Error(`demo: read ${blocks} retrieval blocks back, wrote ${written.corpus.blocks}`);
      log(`read back ${blocks} blocks; ${queries.length} held-out masked queries (${skipped} skipped). Examples:`);
      for (const query of queries.slice(0, 3)) {
        const masked = tokenizer.vocab.convertIdsToTokens(query.maskedIds).join(' ');
        const targets = tokenizer.vocab.convertIdsToTokens(Array.from(query.mlmTargets).slice(0, query.numPredictions)).join(' ');
        console.log(`  query: ${masked}\n  answer: ${targets}`);
      }
      const summary = {
        documents: world.documents.length,
        facts: world.facts.length,
        retrieval_blocks: blocks,
        pretrain_train: written.pretrainTrain,
        pretrain_heldout: written.pretrainHeldout,
        masked_queries: queries.length,
        skipped_queries: skipped,
        vocab_size: tokenizer.vocab.size,
        wall_seconds: Number(((Date.now() - started) / 1000).toFixed(2)),
      };
      log(`done in ${summary.wall_seconds}s; next: \`realm pretrain all --out DIR\` trains REALM on this world (docs/results.md)`);
      if (options.json) console.log(JSON.stringify(summary));
    });
}
