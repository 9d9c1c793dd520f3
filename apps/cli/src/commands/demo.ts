// `realm demo`: the whole pipeline on the built-in world, end to end: REALM pre-training as
// `realm pretrain all --out DIR/pretrain`, ORQA fine-tuning from it as `realm finetune-orqa train
// --dataset world --init DIR/pretrain --out DIR/finetune` (with its test evaluation), then `realm ask`
// on held-out test questions. Orchestration only: the work is in @realm/pretrain and @realm/finetune-orqa.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { isCorrect } from '@realm/data';
import type { FinetuneConfig, FinetuneResult } from '@realm/finetune-orqa';
import type { LauncherSummary, ProgramContext } from '@realm/pretrain';
import { configOverrides, integerFlag, numberFlag } from '../flags.js';
import { finetuneHooks } from './finetune-orqa.js';
import { DEMO_ASK_COUNT, planDemo, SMOKE_SCALE, type DemoPlan } from './demo-plan.js';

type PretrainModule = typeof import('@realm/pretrain');
type FinetuneModule = typeof import('@realm/finetune-orqa');

interface DemoOptions {
  out: string;
  seed?: number;
  scale?: number;
  smoke?: boolean;
  json?: boolean;
}

/** One asked question in the --json line. */
export interface DemoAskEntry {
  question: string;
  /** The world's answers to this held-out fact. */
  gold: string[];
  answer: string;
  /** Official exact match of `answer` against `gold`. */
  correct: boolean;
  block_title: string;
  block_rank: number;
  score: number;
}

/** The --json line: each stage's own summary, as its command prints it. */
export interface DemoSummary {
  pretrain: LauncherSummary;
  finetune: FinetuneResult;
  ask: DemoAskEntry[];
  wall_seconds: number;
}

const log = (message: string): void => console.error(`demo: ${message}`);

const FinetuneResultSchema = z.object({
  test_exact_match: z.number(),
  test_recall_at_5: z.number(),
  dev_exact_match: z.number(),
  wall_seconds: z.number(),
});

const shellOverrides = (overrides: readonly string[]): string => overrides.map((o) => ` --${o}`).join('');

/** An unfinished fine-tuning run is resumed by runFinetune; check before pre-training that its config.json allows it. */
async function checkUnfinishedFinetune(f: FinetuneModule, plan: DemoPlan): Promise<void> {
  const layout = f.finetuneLayout(plan.finetuneDir);
  if (!existsSync(layout.results)) await f.readUnfinishedRun(layout, { init: resolve(plan.pretrainDir), overrides: plan.finetuneOverrides });
}

/** The first leaf (dotted path) where two resolved configs differ, skipping `ignore`d leaf names. */
function firstDifference(a: unknown, b: unknown, ignore: ReadonlySet<string>, path: string[] = []): string | null {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (ignore.has(key)) continue;
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], ignore, [...path, key]);
      if (found !== null) return found;
    }
    return null;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? null : `${path.join('.')} (${JSON.stringify(a)} there, ${JSON.stringify(b)} asked for now)`;
}

/** An existing pre-training run is resumed with its own config: refuse flags (e.g. --smoke, --seed) that ask for another. */
async function checkExistingPretrain(p: PretrainModule, plan: DemoPlan): Promise<void> {
  const path = p.runLayout(plan.pretrainDir).config;
  if (!existsSync(path)) return;
  // vocab_size is set by the launcher from the run's own vocab.
  const differs = firstDifference(await p.readPretrainConfig(path), p.buildPretrainConfig(plan.pretrainOverrides), new Set(['vocab_size']));
  if (differs !== null) throw new Error(`demo: ${plan.pretrainDir} holds a pre-training run made with another config: ${differs}; give the flags it was made with, or choose a new --out`);
}

async function pretrainStage(p: PretrainModule, plan: DemoPlan, context: ProgramContext): Promise<LauncherSummary> {
  const resuming = existsSync(p.runLayout(plan.pretrainDir).config);
  log(`[1/3] REALM pre-training → ${plan.pretrainDir}: realm pretrain all --out ${plan.pretrainDir}${shellOverrides(plan.pretrainOverrides)}` +
    (resuming ? ' (resuming the run there with its own config.json)' : ''));
  // The launcher starts the programs as `realm pretrain <program> ...`, as `realm pretrain all` does.
  const selfCommand = [process.execPath, ...process.execArgv, process.argv[1], 'pretrain'];
  const summary = await p.runLauncher({ out: plan.pretrainDir, overrides: plan.pretrainOverrides, selfCommand }, context);
  log(`pre-training done: ${JSON.stringify(summary)}`);
  return summary;
}

/** Fine-tunes unless the output is complete (then its results.json is the summary). */
async function finetuneStage(f: FinetuneModule, plan: DemoPlan, context: ProgramContext): Promise<{ result: FinetuneResult; ran: boolean }> {
  const layout = f.finetuneLayout(plan.finetuneDir);
  if (existsSync(layout.results)) {
    log(`[2/3] ORQA fine-tuning → ${plan.finetuneDir}: already complete (${layout.results}); skipping it`);
    const parsed = FinetuneResultSchema.safeParse(JSON.parse(await readFile(layout.results, 'utf8')));
    if (!parsed.success) throw new Error(`demo: ${layout.results}: ${z.prettifyError(parsed.error)}`);
    return { result: parsed.data, ran: false };
  }
  log(`[2/3] ORQA fine-tuning → ${plan.finetuneDir}: realm finetune-orqa train --dataset world --init ${plan.pretrainDir} ` +
    `--out ${plan.finetuneDir}${shellOverrides(plan.finetuneOverrides)}`);
  const result = await f.runFinetune({ init: plan.pretrainDir, out: plan.finetuneDir, overrides: plan.finetuneOverrides }, context, finetuneHooks());
  log(`fine-tuning done: ${JSON.stringify(result)}`);
  return { result, ran: true };
}

/**
 * The backend the fine-tuning run in plan.finetuneDir was made with (the `finetune.run.backend` of
 * its saved config.json), or auto when there is no readable run record.
 */
export async function finetuneBackend(f: FinetuneModule, plan: DemoPlan): Promise<FinetuneConfig['run']['backend']> {
  const path = f.finetuneLayout(plan.finetuneDir).config;
  if (!existsSync(path)) return 'auto';
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    log(`${path}: ${(error as Error).message}; answering on the auto backend`);
    return 'auto';
  }
  const parsed = f.SavedFinetuneRunSchema.safeParse(json);
  return parsed.success ? parsed.data.finetune.run.backend : 'auto';
}

/** `realm ask` on the first held-out questions of the world's test split, printed as `realm ask` prints them. */
async function askStage(p: PretrainModule, f: FinetuneModule, plan: DemoPlan): Promise<DemoAskEntry[]> {
  const { world } = await p.readPretrainConfig(p.runLayout(plan.pretrainDir).config);
  const questions = f.worldQaSplit(world, 'test').slice(0, DEMO_ASK_COUNT);
  log(`[3/3] ask: ${questions.length} held-out questions of the world's test split → realm ask "..." --model ${plan.finetuneDir}`);
  const system = await f.loadQaSystem(plan.finetuneDir);
  const style = process.stdout.isTTY ? 'ansi' : 'brackets';
  const entries: DemoAskEntry[] = [];
  for (const item of questions) {
    const answer = await f.askQuestion(system, item.question);
    const correct = isCorrect(item.answers, answer.answer, false);
    console.log(`question: ${item.question}\ngold: ${item.answers.join(' | ')} (${correct ? 'right' : 'wrong'})\n${f.formatAnswer(answer, style)}\n`);
    entries.push({ question: item.question, gold: [...item.answers], answer: answer.answer, correct, block_title: answer.block_title, block_rank: answer.block_rank, score: answer.score });
  }
  return entries;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Run the whole pipeline on the built-in world: REALM pre-training (`pretrain all`), ORQA fine-tuning from it with its test evaluation, and `ask` on held-out questions')
    .requiredOption('--out <dir>', 'output directory: DIR/pretrain (the pre-training run) and DIR/finetune (the fine-tuned model); an existing one resumes each stage')
    .option('--seed <n>', "seed of the world, the initializations, masking and data order (default: the recipes' own)", integerFlag('--seed', { min: 0 }))
    .option('--scale <x>', `world size multiplier (default: the recipe's; ${SMOKE_SCALE} with --smoke)`, numberFlag('--scale'))
    .option('--smoke', 'every stage at a tiny size, a minute or two on 2 cores (used by npm test)')
    .option('--json', 'end stdout with one JSON line {"pretrain","finetune","ask","wall_seconds"}')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', '\nConfig overrides go to one stage: --pretrain.<section>.<field>=value (as for `realm pretrain all`)\n' +
      'and --finetune.<section>.<field>=value (as for `realm finetune-orqa train`), e.g.\n' +
      '--pretrain.run.steps=400 --finetune.orqa.learningRate=5e-4 (see config.json in DIR/pretrain and DIR/finetune).')
    .action(async (options: DemoOptions, command: Command) => {
      const started = Date.now();
      const plan = planDemo(options.out, {
        smoke: options.smoke === true,
        seed: options.seed,
        scale: options.scale,
        passThrough: configOverrides(command, 'demo', '--pretrain.train.batchSize=16'),
      });
      const [p, f] = await Promise.all([import('@realm/pretrain'), import('@realm/finetune-orqa')]);
      // Fail on a bad override or a blocked stage now, not after the pre-training time.
      p.buildPretrainConfig(plan.pretrainOverrides);
      f.buildFinetuneConfig(plan.finetuneOverrides);
      await checkExistingPretrain(p, plan);
      await checkUnfinishedFinetune(f, plan);

      const context = p.programContext('launcher');
      const pretrain = await pretrainStage(p, plan, context);
      if (context.signal.aborted) throw new Error('demo: stopped during pre-training');
      const finetune = await finetuneStage(f, plan, p.programContext('finetune-orqa', { signal: context.signal }));
      if (context.signal.aborted) throw new Error('demo: stopped during fine-tuning');
      // runFinetune activates the tfjs backend; a skipped stage leaves that to us: the run's own.
      if (!finetune.ran) await f.setupOrqaBackend(await finetuneBackend(f, plan), { log: () => {} });
      const ask = await askStage(p, f, plan);

      const summary: DemoSummary = { pretrain, finetune: finetune.result, ask, wall_seconds: Number(((Date.now() - started) / 1000).toFixed(1)) };
      log(`done in ${summary.wall_seconds}s: test exact match ${finetune.result.test_exact_match.toFixed(3)}, recall@5 ${finetune.result.test_recall_at_5.toFixed(3)}; ` +
        `ask more with \`realm ask "question" --model ${plan.finetuneDir}\``);
      if (options.json) console.log(JSON.stringify(summary));
    });
}
