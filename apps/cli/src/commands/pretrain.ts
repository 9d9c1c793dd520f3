// `realm pretrain ...`: REALM pre-training (apps/pretrain). `all` runs the whole loop on the
// built-in world; `generator`, `refresher`, `trainer` and `bootstrap` are the programs it starts
// (local_launcher.sh gen-train/gen-eval, refresh, train). Flags only; the work is in @realm/pretrain.
import type { Command } from 'commander';
import { configOverrides, integerFlag, numberFlag } from '../flags.js';
import { startProgress, type Progress } from '../progress.js';

type PretrainModule = typeof import('@realm/pretrain');

/** Loaded on use: the programs pull in tfjs, which the other subcommands do not need. */
async function pretrainModule(): Promise<PretrainModule> {
  return import('@realm/pretrain');
}

function parseAddresses(flag: string): (raw: string) => string[] {
  return (raw) => {
    const addresses = raw.split(',').map((a) => a.trim()).filter((a) => a !== '');
    for (const address of addresses) {
      if (!/^[^:\s]+:[0-9]{1,5}$/.test(address)) throw new Error(`${flag}: '${address}' is not host:port`);
    }
    if (addresses.length === 0) throw new Error(`${flag}: no address given`);
    return addresses;
  };
}

async function programSetup(name: string, out: string): Promise<{ m: PretrainModule; layout: ReturnType<PretrainModule['runLayout']>; config: Awaited<ReturnType<PretrainModule['readPretrainConfig']>>; context: ReturnType<PretrainModule['programContext']> }> {
  const m = await pretrainModule();
  const context = m.programContext(name);
  const layout = m.runLayout(out);
  const config = await m.readPretrainConfig(layout.config);
  await m.setupTfjs(config.run.backend, context);
  return { m, layout, config, context };
}

export function registerPretrainCommands(program: Command): void {
  const pretrain = program
    .command('pretrain')
    .description('REALM pre-training: example generators, index refresher and trainer (or `all` of them on the built-in world)');

  pretrain
    .command('all')
    .description('Run the whole REALM loop on the built-in world: bootstrap (ICT) → refresher → generators → trainer')
    .requiredOption('--out <dir>', 'run directory (data, checkpoints, exports, logs); an existing run is resumed')
    .option('--steps <n>', 'training steps (run.steps)', integerFlag('--steps', { min: 1 }))
    .option('--masking <strategy>', "masking: salient (REALM), random_token or random_span (ablations)")
    .option('--ict-seconds <s>', 'wall-clock budget of the ICT warm start at bootstrap (ict.maxSeconds)', numberFlag('--ict-seconds'))
    .option('--no-refresh', 'frozen-index ablation: build the index once at bootstrap and never refresh it')
    .option('--json', 'end with one JSON line of results on stdout')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', '\nAny config field can be set with --section.field=value, e.g. --train.batchSize=8 --ict.maxSeconds=10 (see config.json of a run).')
    .action(async (options: { out: string; steps?: number; masking?: string; ictSeconds?: number; refresh: boolean; json?: boolean }, command: Command) => {
      const m = await pretrainModule();
      const overrides = configOverrides(command, 'pretrain', '--train.batchSize=16');
      if (options.steps !== undefined) overrides.push(`run.steps=${options.steps}`);
      if (options.masking !== undefined) overrides.push(`masking.strategy=${JSON.stringify(options.masking)}`);
      if (options.ictSeconds !== undefined) overrides.push(`ict.maxSeconds=${options.ictSeconds}`);
      const context = m.programContext('launcher');
      const summary = await m.runLauncher(
        { out: options.out, overrides, noRefresh: !options.refresh, selfCommand: [process.execPath, ...process.execArgv, process.argv[1], 'pretrain'] },
        context,
      );
      context.log(`done: ${JSON.stringify(summary)}`);
      if (options.json) console.log(JSON.stringify(summary));
    });

  pretrain
    .command('prepare')
    .description('Create a run: the built-in world as REALM corpora, its vocab and config.json (no training)')
    .requiredOption('--out <dir>', 'run directory')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (options: { out: string }, command: Command) => {
      const m = await pretrainModule();
      const { layout } = await m.prepareRun(options.out, configOverrides(command, 'pretrain', '--train.batchSize=16'), m.programContext('prepare'));
      console.log(layout.config);
    });

  pretrain
    .command('bootstrap')
    .description('Cold start: ICT warm start of a fresh embedder → export/initial and the first export/tf_hub/<ts>')
    .requiredOption('--out <dir>', 'run directory (made by `pretrain prepare` or `pretrain all`)')
    .action(async (options: { out: string }) => {
      const { m, layout, config, context } = await programSetup('bootstrap', options.out);
      const made = await m.runBootstrap(layout, config, context);
      if (!made) context.log('bootstrap: export/initial already exists; nothing to do');
    });

  pretrain
    .command('generator')
    .description('Example generator: masked queries + retrieved candidates served over gRPC (GetExamples)')
    .requiredOption('--out <dir>', 'run directory')
    .requiredOption('--mode <mode>', 'train (training shards, shuffled) or eval (held-out shards, fixed order)')
    .requiredOption('--port <port>', 'gRPC port', integerFlag('--port', { min: 0 }))
    .option('--host <host>', 'interface to bind (default: generator.host of the config, 127.0.0.1)')
    .action(async (options: { out: string; mode: string; port: number; host?: string }) => {
      if (options.mode !== 'train' && options.mode !== 'eval') throw new Error(`--mode must be train or eval, got '${options.mode}'`);
      const { m, layout, config, context } = await programSetup(`gen-${options.mode}`, options.out);
      await m.runGenerator(layout, config, { mode: options.mode, port: options.port, host: options.host }, context);
    });

  pretrain
    .command('refresher')
    .description('Index refresher: re-embeds the retrieval corpus for each new export and publishes export/encoded/<ts>')
    .requiredOption('--out <dir>', 'run directory')
    .option('--once', 'encode the newest export once and exit')
    .option('--shard <i/n>', 'embed only shard i of n of the corpus; shard 0 gathers the parts and publishes the index')
    .option('--no-bootstrap', 'do not bootstrap when there is no export yet (wait for one instead)')
    .action(async (options: { out: string; once?: boolean; bootstrap: boolean; shard?: string }) => {
      const { m, layout, config, context } = await programSetup(options.shard ? `refresher-${options.shard.replace('/', '-of-')}` : 'refresher', options.out);
      const shard = options.shard === undefined ? undefined : m.parseShard(options.shard);
      if (options.bootstrap && (shard?.index ?? 0) === 0 && (await m.newestTimestamp(layout.tfHub)) === null && (await m.newestTimestamp(layout.encoded)) === null) {
        context.log('no export and no index yet: bootstrapping first');
        await m.runBootstrap(layout, config, context);
      }
      let bar: Progress | undefined;
      await m.runRefresher(layout, config, {
        once: options.once,
        shard,
        onProgress: (done, total) => {
          bar ??= startProgress('refresher: embedding', total, 'blocks');
          bar.update(done);
          if (done === total) {
            bar.stop(`${total} blocks embedded`);
            bar = undefined;
          }
        },
      }, context);
    });

  pretrain
    .command('trainer')
    .description('Trainer: pulls examples from the generators, trains, checkpoints, evaluates and exports')
    .requiredOption('--out <dir>', 'run directory')
    .requiredOption('--generator <host:port,...>', 'train generator address(es)', parseAddresses('--generator'))
    .option('--eval-generator <host:port,...>', 'eval generator address(es) (default: the train generators)', parseAddresses('--eval-generator'))
    .option('--stop-at-step <n>', 'stop at this global step (checkpointing there) even if the run is longer', integerFlag('--stop-at-step', { min: 1 }))
    .option('--deadline <epoch-ms>', 'finish the run by this time (epoch milliseconds; `pretrain all` passes run.maxSeconds from its start)', integerFlag('--deadline', { min: 0 }))
    .action(async (options: { out: string; generator: string[]; evalGenerator?: string[]; stopAtStep?: number; deadline?: number }) => {
      const { m, layout, config, context } = await programSetup('trainer', options.out);
      const summary = await m.runTrainer(layout, config, {
        trainGenerators: options.generator,
        evalGenerators: options.evalGenerator ?? options.generator,
        stopAtStep: options.stopAtStep,
        deadlineMs: options.deadline,
      }, context);
      context.log(`finished at step ${summary.steps}`);
    });
}
