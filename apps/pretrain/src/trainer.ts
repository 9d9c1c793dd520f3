// The trainer program: pulls examples from the train generators, trains with RealmTrainer, logs
// metrics (log/metrics.jsonl + TensorBoard events), checkpoints and resumes, evaluates on the eval
// generator and exports for the refresher. Ports language/realm/train_realm.py with
// experiment_utils.run_experiment (train_and_evaluate, exporters) and model.py's metrics.
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeExample, EventFileWriter, realmExampleFromTfExample, type RealmExample } from '@realm/data';
import { isBetterExport } from '@realm/model';
import { restoreRealmTrainer, saveRealmCheckpoint, type RealmTrainer } from '@realm/model';
import type { PretrainConfig } from './config.js';
import { ExampleStream } from './example-stream.js';
import { publishExport } from './exports.js';
import { initialExportDir, loadInitialModel } from './bootstrap.js';
import type { RunLayout } from './layout.js';
import type { ProgramContext } from './program.js';
import { TRAINING_DONE } from './refresher.js';
import { waitForPath } from './watch.js';

export interface TrainerOptions {
  trainGenerators: readonly string[];
  evalGenerators: readonly string[];
  /** Stop after this global step even if numTrainSteps is larger (tests, fault drills). */
  stopAtStep?: number;
  /**
   * Epoch milliseconds by which the run must be over (the launcher's run.maxSeconds): training
   * stops early enough for the final checkpoint, export and evaluation, and the run is finished.
   */
  deadlineMs?: number;
}

export interface EvalSummary {
  step: number;
  loss: number;
  retrieval_utility: number;
  accuracy_with_retrieval: number;
  accuracy_null_document: number;
  examples: number;
}

export interface TrainerSummary {
  steps: number;
  /** What ended training: the step count, the wall-clock deadline, or an earlier run (TRAINING_DONE). */
  stoppedBy: 'steps' | 'deadline' | 'finished';
  resumedFromStep: number;
  exports: number;
  lastEval: EvalSummary | null;
}

const CHECKPOINT_NAME = /^ckpt-([0-9]+)$/;

/** Checkpoint directories (ckpt-<step>) oldest first. */
export async function listCheckpoints(dir: string): Promise<Array<{ step: number; path: string }>> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir))
    .map((name) => CHECKPOINT_NAME.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ step: Number(m[1]), path: join(dir, m[0]) }))
    .sort((a, b) => a.step - b.step);
}

/**
 * Moves an unreadable checkpoint directory aside as `<name>.damaged-<ms>` (kept for inspection,
 * ignored by listCheckpoints), so that saving that step again writes a good one instead of finding
 * the name taken. Returns the new path.
 */
export async function setAsideDamagedCheckpoint(path: string): Promise<string> {
  const aside = `${path}.damaged-${Date.now()}`;
  await rename(path, aside);
  return aside;
}

function decodeBatch(serialized: readonly Uint8Array[], config: PretrainConfig): RealmExample[] {
  return serialized.map((bytes, i) => {
    try {
      return realmExampleFromTfExample(decodeExample(bytes), config.dims);
    } catch (error) {
      throw new Error(`trainer: example ${i} of the batch: ${(error as Error).message}`, { cause: error });
    }
  });
}

/** Mean staleness of the index behind a batch, in minutes (model.py off_policy_delay_mins). */
function offPolicyDelayMinutes(batch: readonly RealmExample[], nowSeconds: number): number {
  const delays = batch.map((e) => (e.exportTimestamp > 0 ? (nowSeconds - e.exportTimestamp) / 60 : 0));
  return delays.reduce((a, b) => a + b, 0) / Math.max(1, delays.length);
}

class MetricsLog {
  private constructor(
    private readonly path: string,
    private readonly events: EventFileWriter,
  ) {}

  static async open(layout: RunLayout): Promise<MetricsLog> {
    await mkdir(layout.log, { recursive: true });
    return new MetricsLog(layout.metrics, await EventFileWriter.open(join(layout.root, 'tensorboard')));
  }

  async write(kind: 'train' | 'eval', step: number, values: Record<string, number>): Promise<void> {
    await appendFile(this.path, `${JSON.stringify({ kind, step, time: Date.now() / 1000, ...values })}\n`);
    const prefix = kind === 'eval' ? 'eval/' : '';
    await this.events.scalars(step, Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v])));
  }

  close(): Promise<void> {
    return this.events.close();
  }
}

async function evaluate(trainer: RealmTrainer, stream: ExampleStream, config: PretrainConfig, numSteps: number): Promise<EvalSummary | null> {
  const totals = { loss: 0, retrievalUtility: 0, accuracyWithRetrieval: 0, accuracyNullDocument: 0 };
  let batches = 0;
  for (let i = 0; i < numSteps; i++) {
    const serialized = await stream.take(config.train.evalBatchSize);
    if (serialized === null) break;
    const metrics = trainer.evaluate(decodeBatch(serialized, config));
    for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += metrics[key];
    batches += 1;
  }
  if (batches === 0) return null;
  return {
    step: trainer.globalStep,
    loss: totals.loss / batches,
    retrieval_utility: totals.retrievalUtility / batches,
    accuracy_with_retrieval: totals.accuracyWithRetrieval / batches,
    accuracy_null_document: totals.accuracyNullDocument / batches,
    examples: batches * config.train.evalBatchSize,
  };
}

/** Restores the newest checkpoint, or builds the model from the bootstrap's initial export. */
async function startTrainer(layout: RunLayout, config: PretrainConfig, context: ProgramContext): Promise<{ trainer: RealmTrainer; resumedFrom: number; bestMetric: number | null }> {
  const overrides = { numTrainSteps: config.train.numTrainSteps };
  const checkpoints = await listCheckpoints(layout.checkpoints);
  const unreadable: string[] = [];
  for (const checkpoint of checkpoints.reverse()) {
    try {
      const { trainer, config: saved } = await restoreRealmTrainer(checkpoint.path, overrides);
      context.log(`resumed from ${checkpoint.path} (global step ${trainer.globalStep})`);
      // Only now, with a good checkpoint in hand, are the newer unreadable ones set aside (a
      // transient failure such as running out of memory must not discard every checkpoint).
      for (const path of unreadable) context.log(`moved the unreadable ${path} to ${await setAsideDamagedCheckpoint(path)}`);
      // The best-export threshold survives restarts, so tf_hub_best only ever improves.
      const best = (saved.extra as { bestMetric?: unknown } | null)?.bestMetric;
      return { trainer, resumedFrom: trainer.globalStep, bestMetric: typeof best === 'number' ? best : null };
    } catch (error) {
      // A checkpoint only appears by rename, so this means corruption: fall back to an older one.
      context.log(`cannot restore ${checkpoint.path}: ${(error as Error).message}; trying an older checkpoint`);
      unreadable.push(checkpoint.path);
    }
  }
  const initial = initialExportDir(layout);
  if (!existsSync(initial)) {
    context.log(`no checkpoint and no initial export yet; waiting for the bootstrap to publish ${initial}`);
    if (!(await waitForPath(initial, { signal: context.signal }))) throw new Error('trainer: stopped while waiting for the initial export');
  }
  const trainer = await loadInitialModel(layout, config);
  context.log(`starting from the initial export ${initial} (ICT embedder)`);
  return { trainer, resumedFrom: 0, bestMetric: null };
}

/** Runs the trainer to numTrainSteps (or stopAtStep), or until aborted. */
export async function runTrainer(layout: RunLayout, config: PretrainConfig, options: TrainerOptions, context: ProgramContext): Promise<TrainerSummary> {
  const { log, signal } = context;
  const train = config.train;
  const started = await startTrainer(layout, config, context);
  const { trainer, resumedFrom } = started;
  const trainStream = new ExampleStream(options.trainGenerators, { log, signal });
  const evalStream = new ExampleStream(options.evalGenerators, { log, signal });
  const metrics = await MetricsLog.open(layout);
  // A finished run (TRAINING_DONE, e.g. ended by its deadline) does not train again: the refresher
  // has stopped too. It only re-evaluates its last checkpoint.
  const donePath = join(layout.root, TRAINING_DONE);
  const finished = existsSync(donePath);
  const lastStep = finished ? trainer.globalStep : Math.min(train.numTrainSteps, options.stopAtStep ?? Infinity);
  let stoppedBy: TrainerSummary['stoppedBy'] = finished ? 'finished' : 'steps';
  if (finished) {
    const doneStep = Number((await readFile(donePath, 'utf8')).trim());
    log(`${donePath} says training finished at step ${doneStep}: not training again` +
      (doneStep !== trainer.globalStep ? `; WARNING: the newest readable checkpoint is at step ${trainer.globalStep}` : ''));
  }
  const stepsAtStart = trainer.globalStep;
  // Seconds the final checkpoint + export + evaluation take, kept free before the deadline; the
  // first evaluation cycle measures it (the guess covers a run that has not evaluated yet).
  let finalReserveSeconds = 20;
  let bestMetric = started.bestMetric;
  let exports = 0;
  let lastEval: EvalSummary | null = null;

  const checkpoint = async (): Promise<void> => {
    const dir = join(layout.checkpoints, `ckpt-${trainer.globalStep}`);
    if (existsSync(dir)) return;
    await saveRealmCheckpoint(dir, trainer, { bestMetric });
    const all = await listCheckpoints(layout.checkpoints);
    for (const old of all.slice(0, Math.max(0, all.length - train.keepCheckpointMax))) await rm(old.path, { recursive: true, force: true });
    log(`checkpoint ${dir}`);
  };
  const exportLatest = async (): Promise<void> => {
    const ts = await publishExport(layout.tfHub, trainer.model, trainer.globalStep, config, train.keepLatestExports);
    exports += 1;
    log(`exported ${join(layout.tfHub, String(ts))} at step ${trainer.globalStep}`);
  };
  const finalEvalSteps = config.run.finalEvalSteps ?? train.numEvalSteps;
  const runEval = async (final = false): Promise<void> => {
    const evalStarted = Date.now();
    const summary = await evaluate(trainer, evalStream, config, final ? finalEvalSteps : train.numEvalSteps);
    // Room for the final evaluation (scaled from this one), a checkpoint and an export.
    if (!final) finalReserveSeconds = Math.max(10, (2 * (Date.now() - evalStarted) / 1000) * (finalEvalSteps / train.numEvalSteps) + 5);
    if (!summary) return;
    lastEval = summary;
    const { step: _step, examples: _examples, ...values } = summary;
    await metrics.write('eval', trainer.globalStep, values);
    log(`eval at step ${summary.step}: loss ${summary.loss.toFixed(3)}, retrieval_utility ${summary.retrieval_utility.toFixed(4)}, ` +
      `accuracy ${summary.accuracy_with_retrieval.toFixed(3)} (null document ${summary.accuracy_null_document.toFixed(3)})`);
    const metric = train.bestExportMetric === 'loss' ? summary.loss : train.bestExportMetric === 'retrieval_utility' ? summary.retrieval_utility : summary.accuracy_with_retrieval;
    if (isBetterExport(train.bestExportMetric, bestMetric, metric)) {
      bestMetric = metric;
      const ts = await publishExport(layout.tfHubBest, trainer.model, trainer.globalStep, config, train.keepBestExports);
      log(`new best ${train.bestExportMetric} ${metric.toFixed(4)}: exported ${join(layout.tfHubBest, String(ts))}`);
    }
  };

  try {
    log(`training from step ${trainer.globalStep} to ${lastStep} (batch ${train.batchSize}), generators ${options.trainGenerators.join(',')}`);
    const pastDeadline = (): boolean => options.deadlineMs !== undefined && Date.now() > options.deadlineMs - finalReserveSeconds * 1000;
    while (trainer.globalStep < lastStep && !signal.aborted) {
      if (pastDeadline()) {
        stoppedBy = 'deadline';
        log(`wall-clock budget: stopping at step ${trainer.globalStep} to leave ${finalReserveSeconds.toFixed(0)}s for the final checkpoint, export and evaluation`);
        if (trainer.globalStep === stepsAtStart) log('WARNING: the budget ran out before this trainer took a step (the bootstrap may have used it up); raise run.maxSeconds');
        break;
      }
      const serialized = await trainStream.take(train.batchSize);
      if (serialized === null) break;
      const batch = decodeBatch(serialized, config);
      const started = Date.now();
      const step = trainer.step(batch);
      const values = {
        loss: step.loss,
        retrieval_utility: step.retrievalUtility,
        accuracy_with_retrieval: step.accuracyWithRetrieval,
        accuracy_null_document: step.accuracyNullDocument,
        learning_rate: step.learningRate,
        global_norm: step.globalNorm,
        off_policy_delay_mins: offPolicyDelayMinutes(batch, Date.now() / 1000),
        step_seconds: (Date.now() - started) / 1000,
      };
      await metrics.write('train', trainer.globalStep, values);
      const at = trainer.globalStep;
      if (at % 10 === 0) log(`step ${at}: loss ${step.loss.toFixed(3)}, retrieval_utility ${step.retrievalUtility.toFixed(4)}, ${values.step_seconds.toFixed(2)}s/step`);
      if (at % train.saveCheckpointsSteps === 0) await checkpoint();
      // The last step (by count or by deadline) exports and evaluates once, below.
      const last = at >= lastStep || pastDeadline();
      if (at % train.indexRefreshEverySteps === 0 && !last) await exportLatest();
      if (at % train.evalEverySteps === 0 && !last) await runEval();
    }
    if (trainer.globalStep >= lastStep || stoppedBy === 'deadline') {
      await checkpoint();
      await exportLatest();
      await runEval(true);
      if (!finished && (trainer.globalStep >= train.numTrainSteps || stoppedBy === 'deadline')) await writeFile(donePath, `${trainer.globalStep}\n`);
    }
    const summary: TrainerSummary = { steps: trainer.globalStep, stoppedBy, resumedFromStep: resumedFrom, exports, lastEval };
    await writeFile(join(layout.log, 'trainer-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  } finally {
    trainStream.close();
    evalStream.close();
    await metrics.close();
    trainer.dispose();
  }
}
