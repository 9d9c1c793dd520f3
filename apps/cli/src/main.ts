// The `realm` command line: one entry point, one subcommand per program. Each subcommand lives in
// commands/<name>.ts and only parses flags and calls into the packages (apps stay thin).
import { Command, CommanderError } from 'commander';
import { registerCheckpointCommands } from './commands/checkpoint.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerQaCommands } from './commands/qa.js';
import { registerTfrecordCommands } from './commands/tfrecord.js';
import { registerTokenizeCommand } from './commands/tokenize.js';
import { registerCorpusCommands } from './commands/corpus.js';
import { registerWorldCommands } from './commands/world.js';
import { registerMipsCommands } from './commands/mips.js';
import { registerBertCommands } from './commands/bert.js';
import { registerPretrainCommands } from './commands/pretrain.js';
import { registerFinetuneOrqaCommands } from './commands/finetune-orqa.js';
import { registerAskCommand } from './commands/ask.js';
import { registerIndexCommands } from './commands/kb-index.js';

export function buildProgram(): Command {
  const program = new Command('realm')
    .description('realm-ts: REALM retrieval-augmented pre-training and ORQA open-domain QA in TypeScript')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  registerDemoCommand(program);
  registerTokenizeCommand(program);
  registerTfrecordCommands(program);
  registerCheckpointCommands(program);
  registerQaCommands(program);
  registerCorpusCommands(program);
  registerWorldCommands(program);
  registerMipsCommands(program);
  registerBertCommands(program);
  registerPretrainCommands(program);
  registerFinetuneOrqaCommands(program);
  registerAskCommand(program);
  registerIndexCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    // Errors from the packages already name the file/record/field; print them without a stack.
    console.error(`realm: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.REALM_DEBUG) console.error(error);
    process.exitCode = 1;
  }
}
