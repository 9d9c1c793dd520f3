// `realm ask "question" --model DIR`: answers one question with a fine-tuned ORQA model and shows
// the evidence block with the answer span highlighted. Flags only; the work is in @realm/finetune-orqa.
import type { Command } from 'commander';

interface AskOptions {
  model: string;
  kb?: string;
  json?: boolean;
}

export function registerAskCommand(program: Command): void {
  program
    .command('ask')
    .description('Answer a question with a fine-tuned ORQA model: the answer, its evidence block (span highlighted) and the retrieval/reader scores')
    .argument('<question>', 'the question, e.g. "In what year was Sone Thopar born?"')
    .requiredOption('--model <dir>', 'a `finetune-orqa train` output directory (or its best/)')
    .option('--kb <dir>', 'knowledge base to retrieve from (default: the model run\'s kb/, newest version)')
    .option('--json', 'print one JSON object instead of text')
    .action(async (question: string, options: AskOptions) => {
      const f = await import('@realm/finetune-orqa');
      await f.setupOrqaBackend('auto', { log: () => {} });
      const system = await f.loadQaSystem(options.model, options.kb);
      const answer = await f.askQuestion(system, question);
      console.log(options.json ? JSON.stringify(answer) : f.formatAnswer(answer, process.stdout.isTTY ? 'ansi' : 'brackets'));
    });
}
