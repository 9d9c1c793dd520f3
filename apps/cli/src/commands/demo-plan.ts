// `realm demo`'s plan: where each stage writes and which `a.b=value` config overrides it gets
// (the --smoke sizes, --seed / --scale, then the --pretrain.* / --finetune.* pass-through). Pure:
// no tfjs, no I/O; the recipes themselves stay in apps/pretrain and apps/finetune-orqa.
import { join } from 'node:path';

/** World scale of `--smoke` (the full demo uses the recipe's). */
export const SMOKE_SCALE = 0.25;
/** Pre-training steps of `--smoke` (run.steps). */
export const SMOKE_PRETRAIN_STEPS = 6;
/** Fine-tuning steps of `--smoke` (orqa.numTrainSteps). */
export const SMOKE_FINETUNE_STEPS = 8;
/** Held-out test questions the demo asks the fine-tuned model. */
export const DEMO_ASK_COUNT = 3;

/**
 * `--smoke` pre-training: the machine recipe's models at a handful of steps. Exports every 2 steps
 * give the refresher something to re-embed before the run ends; free ports keep a smoke run clear of
 * a full run (or another smoke run) on the recipe's fixed 8888/8889.
 */
export const SMOKE_PRETRAIN_OVERRIDES: readonly string[] = [
  `run.steps=${SMOKE_PRETRAIN_STEPS}`,
  'ict.maxSeconds=5',
  'train.numEvalSteps=1',
  'run.finalEvalSteps=1',
  'train.indexRefreshEverySteps=2',
  'generator.trainPort=0',
  'generator.evalPort=0',
  'refresher.pollMs=200',
];

/** `--smoke` fine-tuning: a handful of steps, warmup to match, a small dev evaluation while training. */
export const SMOKE_FINETUNE_OVERRIDES: readonly string[] = [
  `orqa.numTrainSteps=${SMOKE_FINETUNE_STEPS}`,
  'orqa.numWarmupSteps=2',
  'run.maxDevQuestions=16',
];

export interface DemoPlanOptions {
  smoke: boolean;
  /** Seed of the world, the initializations, masking and data order (unset: the recipes' own). */
  seed?: number;
  /** World scale (unset: the recipe's, or SMOKE_SCALE with smoke). */
  scale?: number;
  /** `pretrain.<section>.<field>=v` / `finetune.<section>.<field>=v`, as configOverrides returns them. */
  passThrough: readonly string[];
}

export interface DemoPlan {
  pretrainDir: string;
  finetuneDir: string;
  /** Overrides of `realm pretrain all` (recipe underneath). */
  pretrainOverrides: string[];
  /** Overrides of `realm finetune-orqa train` (recipe underneath). */
  finetuneOverrides: string[];
}

const STAGE_PREFIXES = { pretrain: 'pretrain.', finetune: 'finetune.' } as const;

/** The directories and overrides of the demo's stages; later overrides win (smoke < flags < pass-through). */
export function planDemo(out: string, options: DemoPlanOptions): DemoPlan {
  const pretrainOverrides: string[] = options.smoke ? [...SMOKE_PRETRAIN_OVERRIDES] : [];
  const finetuneOverrides: string[] = options.smoke ? [...SMOKE_FINETUNE_OVERRIDES] : [];
  const scale = options.scale ?? (options.smoke ? SMOKE_SCALE : undefined);
  if (scale !== undefined) pretrainOverrides.push(`world.scale=${scale}`);
  if (options.seed !== undefined) {
    // The world has its own seed field; fine-tuning reads its world from the pre-training run.
    pretrainOverrides.push(`run.seed=${options.seed}`, `world.seed=${options.seed}`);
    finetuneOverrides.push(`run.seed=${options.seed}`);
  }
  for (const override of options.passThrough) {
    if (override.startsWith(STAGE_PREFIXES.pretrain)) pretrainOverrides.push(override.slice(STAGE_PREFIXES.pretrain.length));
    else if (override.startsWith(STAGE_PREFIXES.finetune)) finetuneOverrides.push(override.slice(STAGE_PREFIXES.finetune.length));
    else throw new Error(`demo: override '--${override}' names no stage (use --pretrain.<section>.<field>=value or --finetune.<section>.<field>=value)`);
  }
  return { pretrainDir: join(out, 'pretrain'), finetuneDir: join(out, 'finetune'), pretrainOverrides, finetuneOverrides };
}
