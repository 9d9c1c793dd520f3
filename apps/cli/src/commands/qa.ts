// `realm qa ...`: ORQA's open-domain QA evaluation (evaluation/evaluate_predictions.py) and its
// train/dev re-split (preprocessing/create_data_splits.py), over @realm/data's qa module.
import { Option, type Command } from 'commander';
import { ANSWER_FIELDS, evaluatePredictionFiles, resplitOrqaTrainFile, type AnswerField } from '@realm/data';

interface ScoreOptions {
  predictions: string;
  gold: string;
  regex?: boolean;
  answerField: AnswerField;
}

interface ResplitOptions {
  input: string;
  trainOut: string;
  devOut: string;
}

export function registerQaCommands(program: Command): void {
  const qa = program.command('qa').description('Open-domain QA datasets (NQ-open, WebQuestions, CuratedTREC): ORQA scoring and re-split');

  qa.command('score')
    .description(
      'Score predictions as ORQA does: exact match after NFD + SQuAD normalisation (or Python-regex match with --regex); ' +
        'prints {"accuracy","num_correct","num_total","missing_predictions"} as JSON',
    )
    .requiredOption('--predictions <file>', 'JSON lines {"question": str, "prediction": str}')
    .requiredOption('--gold <file>', 'the dataset file as distributed: JSON lines {"question": str, "answer": [str, ...]}')
    .option('--regex', 'gold answers are Python regular expressions matched at the start of the prediction (CuratedTREC)')
    .addOption(new Option('--answer-field <name>', 'which gold field holds the answers').choices([...ANSWER_FIELDS]).default('answer'))
    .action(async (options: ScoreOptions) => {
      const report = await evaluatePredictionFiles(options.gold, options.predictions, {
        isRegex: options.regex === true,
        answerField: options.answerField,
      });
      for (const warning of report.warnings) console.error(warning);
      console.log(JSON.stringify(report.result));
    });

  qa.command('resplit')
    .description('Split a training file into ORQA train/dev: dev iff to_hash_bucket_fast(question, 100000) % 10 == 0; lines copied verbatim')
    .requiredOption('--input <file>', 'training file (JSON lines with "question" and "answer")')
    .requiredOption('--train-out <file>', 'where to write the train lines')
    .requiredOption('--dev-out <file>', 'where to write the dev lines')
    .action(async (options: ResplitOptions) => {
      const counts = await resplitOrqaTrainFile(options.input, { trainPath: options.trainOut, devPath: options.devOut });
      console.log(JSON.stringify(counts));
    });
}
