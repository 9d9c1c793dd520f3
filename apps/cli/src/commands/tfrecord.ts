// `realm tfrecord cat|count`: inspect TFRecord files of tf.train.Example (plain or GZIP, auto-detected).
// Streams the file (any size); corrupt records stop with an error naming the file, record and offset.
import type { Command } from 'commander';
import { countTfRecords, exampleToJson, exampleToText, readTfExamples, type TfRecordGzipMode } from '@realm/data';

interface CatOptions {
  json?: boolean;
  limit?: string;
  gzip?: boolean;
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return Infinity;
  if (!/^\d+$/.test(text)) throw new Error(`--limit must be a non-negative integer, got "${text}"`);
  return Number(text);
}

/** `realm tfrecord cat FILE | head` should end quietly, not with an EPIPE stack trace. */
function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

export function registerTfrecordCommands(program: Command): void {
  const tfrecord = program
    .command('tfrecord')
    .description('Read TFRecord files of tf.train.Example (uncompressed or GZIP; gzip is detected from the magic bytes)');
  tfrecord
    .command('cat')
    .description('Print each tf.Example on its own line (every record is CRC-checked before it is printed)')
    .argument('<file>', 'TFRecord file (.tfrecord, .gz, ...)')
    .option(
      '--json',
      'one JSON object per line: {"name": {"bytes"|"float"|"int64": [...]}}, names sorted; bytes as UTF-8 strings, ' +
        'or {"base64": ...} when not valid UTF-8; int64 as numbers when safe, else decimal strings; ' +
        'floats as numbers (NaN/Infinity as strings); a Feature with no list is {}',
    )
    .option('--limit <n>', 'stop after n records')
    .option('--gzip', 'treat the file as GZIP even if detection says otherwise')
    .action(async (file: string, options: CatOptions) => {
      const limit = parseLimit(options.limit);
      if (limit === 0) return;
      exitQuietlyOnClosedPipe();
      const gzip: TfRecordGzipMode = options.gzip ? true : 'auto';
      for await (const { example, index } of readTfExamples(file, { gzip })) {
        process.stdout.write(`${options.json ? JSON.stringify(exampleToJson(example)) : exampleToText(example)}\n`);
        if (index + 1 >= limit) break;
      }
    });
  tfrecord
    .command('count')
    .description('Count the records (framing and length CRCs checked; payload CRCs with --verify)')
    .argument('<file>', 'TFRecord file')
    .option('--verify', 'also verify every payload CRC')
    .option('--gzip', 'treat the file as GZIP even if detection says otherwise')
    .action(async (file: string, options: { verify?: boolean; gzip?: boolean }) => {
      const count = await countTfRecords(file, { verifyPayloads: options.verify ?? false, gzip: options.gzip ? true : 'auto' });
      console.log(String(count));
    });
}
