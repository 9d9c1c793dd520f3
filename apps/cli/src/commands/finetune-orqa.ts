// `realm finetune-orqa train|eval`: ORQA open-domain QA fine-tuning from a REALM pre-training run
// (apps/finetune-orqa) and evaluation on the built-in world or the real NQ-open / WebQuestions /
// CuratedTREC files. Flags only; the work is in @realm/finetune-orqa.
import type { Command } from 'commander';
import { configOverrides, integerFlag } from '../flags.js';
import { startProgress, type Progress } from '../progress.js';

type FinetuneModule = typeof import('@realm/finetune-orqa');
type PretrainModule = typeof import('@realm/pretrain');

/** Loaded on use: fine-tuning pulls in tfjs, which most subcommands do not need. */
async function modules(): Promise<{ f: FinetuneModule; p: PretrainModule }> {
  const [f, p] = await Promise.all([import('@realm/finetune-orqa'), import('@realm/pretrain')]);
  return { f, p };
}

/** A progress bar per evaluation split (stderr). */
function evalProgress(): (split: string, done: number, total: number) => void {
  let bar: Progress | undefined;
  let current = '';
  return (split, done, total) => {
    if (split !== current) {
      bar?.stop();
      bar = startProgress(`eval ${split}`, total, 'questions');
      current = split;
    }
    bar!.update(done);
    if (done === total) {
      bar!.stop(`${total} questions`);
      bar = undefined;
      current = '';
    }
  };
}

/** Progress bars (stderr) for fine-tuning: a training bar with the loss terms, then one per evaluation split. */
export function finetuneHooks(): import('@realm/finetune-orqa').FinetuneHooks {
  let bar: Progress | undefined;
  return {
    onStep: (metrics, total) => {
      bar ??= startProgress('finetune-orqa: training', total, 'steps');
      bar.update(metrics.step + 1, `loss ${metrics.loss.toFixed(3)}, retrieval ${metrics.retrievalLoss.toFixed(3)}, reader ${metrics.readerLoss.toFixed(3)}, oracle ${metrics.readerOracle.toFixed(2)}`);
      if (metrics.step + 1 === total) {
        bar.stop(`${total} steps`);
        bar = undefined;
      }
    },
    onEvalProgress: evalProgress(),
  };
}

interface TrainOptions {
  dataset: string;
  init: string;
  out: string;
  data?: string;
  blocks?: string;
  titles?: string;
  steps?: number;
  refreshIndex?: boolean;
  json?: boolean;
}

interface EvalOptions {
  dataset: string;
  model: string;
  out: string;
  input?: string;
  split: string;
  kb?: string;
  limit?: number;
  json?: boolean;
}

export function registerFinetuneOrqaCommands(program: Command): void {
  const finetune = program
    .command('finetune-orqa')
    .description('ORQA open-domain QA: fine-tune a retriever + reader from a REALM pre-training run, and evaluate it');

  finetune
    .command('train')
    .description('Fine-tune on the built-in world: question encoder ← REALM embedder, reader ← REALM reader, frozen block embeddings; best checkpoint by dev EM, then test')
    .requiredOption('--dataset <name>', 'training questions: world (the built-in world of the run)')
    .requiredOption('--init <dir|none>', 'a pre-training run directory (`realm pretrain all --out DIR`), Google\'s released REALM model (DIR/bert/ and DIR/embedder/ TF-Hub modules, e.g. cc_news_pretrained; needs --blocks), or none for the un-pre-trained baseline')
    .requiredOption('--out <dir>', 'output directory (best/, kb/, checkpoints/, predictions/, log/, config.json, results.json); an unfinished run there is resumed with its config.json (a conflicting flag is an error), a finished one is an error')
    .option('--data <dir>', 'with --init none: the pre-training run whose world, corpus, vocab and sizes to use (default: prepare the built-in world); with a Google REALM --init: the run whose world\'s questions to use (default: the recipe\'s world)')
    .option('--blocks <file>', 'with a Google REALM --init: ORQA\'s blocks.tfr (raw block strings) that DIR/embedder/encoded/encoded.ckpt was encoded from')
    .option('--titles <file>', 'with a Google REALM --init: titles.tfr row-aligned with --blocks (default: titles.tfr beside it, else empty titles)')
    .option('--steps <n>', 'training steps (orqa.numTrainSteps)', integerFlag('--steps', { min: 1 }))
    .option('--refresh-index', 'also train the document embedder and re-embed the corpus every run.refreshEverySteps steps')
    .option('--json', 'end stdout with one line {"test_exact_match","test_recall_at_5","dev_exact_match","wall_seconds"}')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', '\nAny config field can be set with --section.field=value, e.g. --orqa.learningRate=1e-3 --run.evalEverySteps=50 (see config.json of a run).')
    .action(async (options: TrainOptions, command: Command) => {
      const { f, p } = await modules();
      if (f.parseDatasetName(options.dataset) !== 'world') throw new Error(`--dataset ${options.dataset}: training is supported on the built-in world only (nq, wq and ct are for \`finetune-orqa eval\`)`);
      const overrides = configOverrides(command, 'finetune-orqa', '--orqa.learningRate=1e-3');
      if (options.steps !== undefined) overrides.push(`orqa.numTrainSteps=${options.steps}`);
      if (options.refreshIndex) overrides.push('run.refreshIndex=true');
      const context = p.programContext('finetune-orqa');
      const result = await f.runFinetune({ init: options.init, out: options.out, overrides, data: options.data, blocks: options.blocks, titles: options.titles }, context, finetuneHooks());
      context.log(`done: ${JSON.stringify(result)}`);
      if (options.json) console.log(JSON.stringify(result));
    });

  finetune
    .command('eval')
    .description('Evaluate a fine-tuned model: predictions JSONL (for `realm qa score`) and EM / official EM / recall@k / reader oracle')
    .requiredOption('--dataset <name>', 'world (the run\'s built-in world), nq (NQ-open), wq (WebQuestions) or ct (CuratedTREC, regex answers)')
    .requiredOption('--model <dir>', 'a `finetune-orqa train` output directory (or its best/)')
    .requiredOption('--out <file>', 'predictions JSONL to write')
    .option('--input <file>', 'the dataset file for nq/wq/ct: JSON lines {"question", "answer": [...]}')
    .option('--split <name>', 'world split: train, dev or test', 'test')
    .option('--kb <dir>', 'knowledge base to retrieve from (default: the model run\'s kb/)')
    .option('--limit <n>', 'evaluate at most the first n questions', integerFlag('--limit', { min: 1 }))
    .option('--json', 'print the summary as one JSON line')
    .action(async (options: EvalOptions) => {
      const { f } = await modules();
      const dataset = f.parseDatasetName(options.dataset);
      // Quiet: stderr carries only progress and errors for this short command.
      await f.setupOrqaBackend('auto', { log: () => {} });
      const summary = await f.runEvaluation(
        { dataset, model: options.model, out: options.out, input: options.input, split: options.split, kb: options.kb, limit: options.limit },
        { onEvalProgress: evalProgress() },
      );
      console.log(options.json ? JSON.stringify(summary) : f.formatSummary(summary));
    });
}
