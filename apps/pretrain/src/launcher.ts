// `realm pretrain all`: prepares the run (built-in world → REALM corpora, vocab, config.json), then
// starts the programs as child processes in REALM's order — bootstrap → refresher → train and eval
// generators → trainer — logs each to log/<program>.log, restarts one that dies, stops them all at
// the end and summarizes. Ports language/realm/local_launcher.sh (`all`).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { buildPretrainConfig, MACHINE_RECIPE, mergeJson, readPretrainConfig, type JsonObject, type PretrainConfig } from './config.js';
import { prepareRunData } from './corpus.js';
import { prepareCorpusRunData } from './corpus-data.js';
import { resolveBertCheckpoint } from './init-bert.js';
import { runLayout, type RunLayout } from './layout.js';
import type { ProgramContext } from './program.js';
import type { RefreshRecord } from './refresher.js';
import type { TrainerSummary } from './trainer.js';

export interface LauncherOptions {
  out: string;
  /** `--a.b=value` config overrides (applied when the run is created). */
  overrides?: readonly string[];
  /** Frozen-index ablation: the index is built once by the bootstrap and never refreshed. */
  noRefresh?: boolean;
  /** How to run `realm pretrain <program> ...` (e.g. [node, /path/to/realm.mjs, 'pretrain']). */
  selfCommand: readonly string[];
  /** Restarts allowed per program before the launcher gives up. */
  maxRestarts?: number;
}

/** The launcher's final line with --json. */
export interface LauncherSummary {
  steps: number;
  index_refreshes: number;
  retrieval_utility: number | null;
  heldout_accuracy_retrieval: number | null;
  heldout_accuracy_null: number | null;
  wall_seconds: number;
}

/** A free TCP port on 127.0.0.1 (for a configured port of 0). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('freePort: no address'))));
    });
  });
}

/**
 * Creates the run on first use: the world's corpora and vocab under data/, and config.json (the
 * recipe + overrides, vocab size filled in). An existing config.json is reused as it is (resume).
 */
export async function prepareRun(out: string, overrides: readonly string[], context: ProgramContext): Promise<{ layout: RunLayout; config: PretrainConfig }> {
  const layout = runLayout(out);
  await mkdir(layout.log, { recursive: true });
  if (existsSync(layout.config)) {
    if (overrides.length > 0) context.log(`${layout.config} exists: resuming that run; ignoring overrides ${overrides.join(' ')}`);
    return { layout, config: await readPretrainConfig(layout.config) };
  }
  let draft = buildPretrainConfig(overrides);
  // A BERT checkpoint's own config replaces the recipe's encoder sizes; overrides still win.
  const bert = draft.init.bert === null ? null : await resolveBertCheckpoint(draft.init.bert);
  const base = bert === null ? MACHINE_RECIPE : mergeJson(MACHINE_RECIPE, { model: { reader: { ...bert.config }, embedder: { ...bert.config } } } as JsonObject);
  if (bert !== null) draft = buildPretrainConfig(overrides, base);
  const data = draft.data.corpus === null ? await prepareRunData(layout, draft) : await prepareCorpusRunData(layout, draft);
  context.log(`data: ${data.blocks} retrieval blocks, ${data.pretrainTrain} training / ${data.pretrainHeldout} held-out sentences, vocab ${data.vocabSize} → ${layout.data}`);
  if (bert !== null && bert.config.vocab_size !== data.vocabSize) {
    throw new Error(
      `init.bert: ${bert.configPath} has vocab_size ${bert.config.vocab_size} but the run's vocabulary ${layout.vocab} has ${data.vocabSize} entries; ` +
        `build the corpus with that checkpoint's vocab.txt (\`realm corpus build --vocab\`)`,
    );
  }
  const config = buildPretrainConfig([...overrides, `model.embedder.vocab_size=${data.vocabSize}`, `model.reader.vocab_size=${data.vocabSize}`], base);
  await writeFile(layout.config, `${JSON.stringify(config, null, 2)}\n`);
  return { layout, config };
}

interface ManagedProgram {
  name: string;
  args: string[];
  child?: ChildProcess;
  restarts: number;
  /** Set once the launcher itself stops it (an exit then is expected). */
  stopping: boolean;
  exited: Promise<number | null>;
}

/** Runs `realm pretrain all` to the end; returns the summary (printed as JSON by the CLI with --json). */
export async function runLauncher(options: LauncherOptions, context: ProgramContext): Promise<LauncherSummary> {
  const started = Date.now();
  const { log, signal } = context;
  const { layout, config } = await prepareRun(options.out, options.overrides ?? [], context);
  const maxRestarts = options.maxRestarts ?? 3;
  const programs: ManagedProgram[] = [];

  const start = (program: ManagedProgram): void => {
    const logFile = createWriteStream(join(layout.log, `${program.name}.log`), { flags: 'a' });
    const [command, ...prefix] = options.selfCommand;
    const child = spawn(command, [...prefix, ...program.args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    child.stdout?.pipe(logFile, { end: false });
    child.stderr?.pipe(logFile, { end: false });
    program.child = child;
    program.exited = new Promise((resolve) => {
      child.once('exit', (code, sig) => {
        logFile.end();
        if (code !== 0 && !program.stopping && !signal.aborted && program.name !== 'bootstrap' && program.name !== 'trainer' && program.restarts < maxRestarts) {
          program.restarts += 1;
          log(`${program.name} exited (${code ?? sig}); restarting it (${program.restarts}/${maxRestarts}), see ${join(layout.log, `${program.name}.log`)}`);
          start(program);
          void program.exited.then(resolve);
          return;
        }
        resolve(code);
      });
    });
    log(`started ${program.name} (pid ${child.pid}): realm pretrain ${program.args.join(' ')}`);
  };
  const launch = (name: string, args: string[]): ManagedProgram => {
    const program: ManagedProgram = { name, args, restarts: 0, stopping: false, exited: Promise.resolve(null) };
    programs.push(program);
    start(program);
    return program;
  };
  const stopAll = async (): Promise<void> => {
    for (const program of programs) {
      program.stopping = true;
      if (program.child && program.child.exitCode === null && program.child.signalCode === null) program.child.kill('SIGTERM');
    }
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref());
    await Promise.race([Promise.all(programs.map((p) => p.exited)), timeout]);
    for (const program of programs) if (program.child && program.child.exitCode === null && program.child.signalCode === null) program.child.kill('SIGKILL');
  };
  const onAbort = (): void => void stopAll();
  signal.addEventListener('abort', onAbort, { once: true });

  try {
    const out = ['--out', layout.root];
    // 1. Bootstrap: ICT warm start → export/initial + the first tf_hub export.
    const bootstrap = launch('bootstrap', ['bootstrap', ...out]);
    if ((await bootstrap.exited) !== 0) throw new Error(`bootstrap failed; see ${join(layout.log, 'bootstrap.log')}`);
    // 2. Refresher (or, frozen-index ablation, one encoding of the bootstrap export).
    if (options.noRefresh) {
      const once = launch('refresher', ['refresher', ...out, '--once']);
      if ((await once.exited) !== 0) throw new Error(`index build failed; see ${join(layout.log, 'refresher.log')}`);
    } else {
      launch('refresher', ['refresher', ...out]);
    }
    // 3. Generators (ports fixed here so that a restarted generator comes back on the same one).
    const trainPort = config.generator.trainPort || (await freePort(config.generator.host));
    const evalPort = config.generator.evalPort || (await freePort(config.generator.host));
    launch('gen-train', ['generator', ...out, '--mode', 'train', '--port', String(trainPort)]);
    launch('gen-eval', ['generator', ...out, '--mode', 'eval', '--port', String(evalPort)]);
    // 4. Trainer; it waits for examples itself, so no fixed 20 s sleep as in local_launcher.sh.
    const trainerArgs = ['trainer', ...out, '--generator', `${config.generator.host}:${trainPort}`, '--eval-generator', `${config.generator.host}:${evalPort}`];
    // The budget counts from the launcher's start, so a restarted trainer keeps the same deadline.
    if (config.run.maxSeconds !== null) trainerArgs.push('--deadline', String(Math.round(started + config.run.maxSeconds * 1000)));
    let trainer = launch('trainer', trainerArgs);
    let code = await trainer.exited;
    for (let attempt = 1; code !== 0 && !signal.aborted && attempt <= maxRestarts; attempt++) {
      log(`trainer exited with ${code}; restarting it from its last checkpoint (${attempt}/${maxRestarts})`);
      trainer = launch('trainer', trainerArgs);
      code = await trainer.exited;
    }
    if (code !== 0) throw new Error(`trainer failed (exit ${code}); see ${join(layout.log, 'trainer.log')}`);
  } finally {
    signal.removeEventListener('abort', onAbort);
    await stopAll();
  }
  return summarizeRun(layout, (Date.now() - started) / 1000);
}

/** Reads the trainer's summary and the refresher's log into the launcher's JSON line. */
export async function summarizeRun(layout: RunLayout, wallSeconds: number): Promise<LauncherSummary> {
  const summary = JSON.parse(await readFile(join(layout.log, 'trainer-summary.json'), 'utf8')) as TrainerSummary;
  const refreshesText = existsSync(join(layout.log, 'refreshes.jsonl')) ? await readFile(join(layout.log, 'refreshes.jsonl'), 'utf8') : '';
  const refreshes = refreshesText.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as RefreshRecord);
  const round = (x: number | undefined): number | null => (x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(4)));
  return {
    steps: summary.steps,
    // The bootstrap's index (step 0) is the starting point, not a refresh.
    index_refreshes: refreshes.filter((r) => r.globalStep > 0).length,
    retrieval_utility: round(summary.lastEval?.retrieval_utility),
    heldout_accuracy_retrieval: round(summary.lastEval?.accuracy_with_retrieval),
    heldout_accuracy_null: round(summary.lastEval?.accuracy_null_document),
    wall_seconds: Number(wallSeconds.toFixed(1)),
  };
}
