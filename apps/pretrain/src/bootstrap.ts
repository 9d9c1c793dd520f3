// Cold start without hand work. REALM's generators need an ICT-trained embedder and its precomputed
// block_emb before any model exists (realm-spec §1.5, §9.4); here the bootstrap makes them: a fresh
// REALM model, a time-boxed ICT warm start of its embedder (and, when configured, a masked-LM warm
// start of its reader, standing in for REALM's pre-trained BERT) or the model of a BERT checkpoint
// (init.bert) followed by the same ICT warm start, the result saved as
// export/initial (where the trainer starts) and published as the first export/tf_hub/<ts> for the
// refresher.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { orqaBlockExampleFromExample, readTfExamples } from '@realm/data';
import { createRealmModel, disposeRealmModel, loadRealmExport, RealmTrainer, saveRealmExport, stepRandomSource, trainIct, trainReaderMlm, type IctBlock, type RealmModel } from '@realm/model';
import { createRng } from '@realm/tokenizer';
import type { PretrainConfig } from './config.js';
import { loadTokenizer } from './corpus.js';
import { publishExport } from './exports.js';
import { loadRealmModelFromBert, resolveBertCheckpoint } from './init-bert.js';
import { newestTimestamp, type RunLayout } from './layout.js';
import type { ProgramContext } from './program.js';

/**
 * ORQA's examples.tfr (title ids, block ids, sentence starts) as ICT blocks: the body cut into its
 * sentences, which ICT needs for its pseudo-queries.
 */
export async function loadIctBlocks(path: string): Promise<IctBlock[]> {
  const blocks: IctBlock[] = [];
  for await (const { example, index } of readTfExamples(path)) {
    const block = orqaBlockExampleFromExample(example, `${path} record ${index}`);
    const starts = block.sentenceStarts;
    const sentences = starts.map((start, i) => block.tokenIds.slice(start, i + 1 < starts.length ? starts[i + 1] : block.tokenIds.length));
    blocks.push({ titleIds: block.titleIds, sentences });
  }
  return blocks;
}

/** Where the bootstrap keeps the starting model (the launcher's --bert/--embedder hub handles). */
export function initialExportDir(layout: RunLayout): string {
  return join(layout.root, 'export', 'initial');
}

/**
 * Makes export/initial and the first tf_hub export if they do not exist yet. Returns false when
 * there was nothing to do.
 */
export async function runBootstrap(layout: RunLayout, config: PretrainConfig, context: ProgramContext): Promise<boolean> {
  const { log } = context;
  const initial = initialExportDir(layout);
  if (existsSync(initial)) {
    if ((await newestTimestamp(layout.tfHub)) === null) {
      // Killed between the two publishes: finish the second.
      const { reader, embedder } = await loadRealmExport(initial);
      const model = createRealmModel(config.model, stepRandomSource(config.run.seed, 0), { reader, embedder });
      await publishExport(layout.tfHub, model, 0, config, config.train.keepLatestExports);
      disposeRealmModel(model);
      return true;
    }
    return false;
  }
  const ictBudget = config.ict.maxSeconds === null ? `${config.ict.numTrainSteps} steps` : `at most ${config.ict.maxSeconds}s`;
  const rng = createRng(config.run.seed);
  let model: RealmModel;
  if (config.init.bert === null) {
    log(`bootstrap: no embedder export yet; creating a fresh REALM model and warm-starting its embedder with ICT (${ictBudget})`);
    model = createRealmModel(config.model, rng);
  } else {
    log(`bootstrap: no embedder export yet; starting the reader and the embedder from the BERT checkpoint ${config.init.bert}, then warm-starting the embedder with ICT (${ictBudget})`);
    model = await loadRealmModelFromBert(await resolveBertCheckpoint(config.init.bert), config, rng, log);
  }
  try {
    const tokenizer = await loadTokenizer(layout);
    const special = tokenizer.vocab.specialTokenIds();
    const blocks = await loadIctBlocks(join(layout.data, 'corpus', 'orqa', 'examples.tfr'));
    const embedders = model.config.shareEmbedders ? model.queryEmbedder : { query: model.queryEmbedder, block: model.documentEmbedder };
    // In-batch negatives come from distinct blocks: a corpus smaller than the batch caps it.
    const ictBatchSize = Math.min(config.ict.batchSize, blocks.length);
    if (ictBatchSize < config.ict.batchSize) log(`bootstrap: ICT batch ${ictBatchSize} (ict.batchSize ${config.ict.batchSize} exceeds the corpus's ${blocks.length} blocks)`);
    const result = await trainIct(embedders, blocks, { ...config.ict, batchSize: ictBatchSize, ids: special, signal: context.signal }, rng, (report) => {
      if (report.step % 5 === 0) log(`bootstrap: ICT step ${report.step}: loss ${report.loss.toFixed(3)}, in-batch accuracy ${report.accuracy.toFixed(2)} after ${report.elapsedSeconds.toFixed(0)}s`);
    });
    const tail = (values: number[]): number => values.slice(-5).reduce((a, b) => a + b, 0) / Math.max(1, Math.min(5, values.length));
    log(`bootstrap: ICT ${result.steps} steps in ${result.seconds.toFixed(1)}s, loss ${result.losses[0]?.toFixed(3)} → ${tail(result.losses).toFixed(3)}, ` +
      `in-batch accuracy ${tail(result.accuracy).toFixed(2)} (batch ${ictBatchSize})`);
    if (config.readerMlm.numTrainSteps > 0 && !context.signal.aborted) {
      // REALM's reader starts from a masked-LM-trained BERT; ours learns the corpus the same way.
      log(`bootstrap: masked-LM warm start of the reader (${config.readerMlm.maxSeconds === null ? `${config.readerMlm.numTrainSteps} steps` : `at most ${config.readerMlm.maxSeconds}s`})`);
      const vocab = { ...special, size: tokenizer.vocab.size, specialIds: Object.values(special) };
      const mlm = await trainReaderMlm(model.reader, blocks, { ...config.readerMlm, vocab, signal: context.signal }, rng, (report) => {
        if (report.step % 10 === 0) log(`bootstrap: reader MLM step ${report.step}: loss ${report.loss.toFixed(3)}, accuracy ${report.accuracy.toFixed(2)} after ${report.elapsedSeconds.toFixed(0)}s`);
      });
      log(`bootstrap: reader MLM ${mlm.steps} steps in ${mlm.seconds.toFixed(1)}s, loss ${mlm.losses[0]?.toFixed(3)} → ${tail(mlm.losses).toFixed(3)}, ` +
        `accuracy ${tail(mlm.accuracy).toFixed(2)} (batch ${config.readerMlm.batchSize})`);
    }
    if (context.signal.aborted) throw new Error('bootstrap: stopped before the initial export was written');
    await saveRealmExport(initial, model);
    const ts = await publishExport(layout.tfHub, model, 0, config, config.train.keepLatestExports);
    log(`bootstrap: initial model → ${initial}; first export ${join(layout.tfHub, String(ts))} (the refresher embeds the corpus with it)`);
    return true;
  } finally {
    disposeRealmModel(model);
  }
}

/** A fresh trainer whose model is the bootstrap's initial export. */
export async function loadInitialModel(layout: RunLayout, config: PretrainConfig): Promise<RealmTrainer> {
  const { reader, embedder, queryEmbedder } = await loadRealmExport(initialExportDir(layout));
  const parts = config.model.shareEmbedders ? { reader, embedder } : { reader, embedder: queryEmbedder, documentEmbedder: embedder };
  const model = createRealmModel(config.model, stepRandomSource(config.run.seed, 1), parts);
  return new RealmTrainer(model, config.train, stepRandomSource(config.run.seed, 2));
}
