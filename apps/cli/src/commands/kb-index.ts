// `realm index add|remove`: updates a knowledge base after training — a fine-tuned model's, or a
// pre-training run's (built from its newest encoded export) — new or changed documents embedded with
// its document embedder, blocks and embeddings published together atomically, no retraining. Flags
// only; the work is in @realm/finetune-orqa.
import type { Command } from 'commander';
import { startProgress, type Progress } from '../progress.js';

interface AddOptions {
  export: string;
  docs: string;
}

interface RemoveOptions {
  export: string;
  docs?: string;
  title: string[];
  uid: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Titles/uids from a JSONL file of {"title"} or {"uid"} objects (line numbers in errors). */
async function removalKeys(path: string): Promise<string[]> {
  const { readLines } = await import('@realm/data');
  const keys: string[] = [];
  for await (const line of readLines(path)) {
    if (line.text.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line.text);
    } catch (error) {
      throw new Error(`${path}:${line.lineNumber}: invalid JSON: ${(error as Error).message}`);
    }
    const { uid, title } = (record ?? {}) as { uid?: unknown; title?: unknown };
    if (typeof uid === 'string') keys.push(uid);
    else if (typeof title === 'string') keys.push(title);
    else throw new Error(`${path}:${line.lineNumber}: expected a string field "title" or "uid"`);
  }
  return keys;
}

export function registerIndexCommands(program: Command): void {
  const index = program.command('index').description("Update a fine-tuned model's or a pre-training run's knowledge base (blocks + embeddings) without retraining");
  const exportHelp = 'a `finetune-orqa train` output directory, its kb/ or one kb/<ts> version; or a `pretrain` run directory or its export/ (its kb/, built from the newest export/encoded/<ts> the first time)';

  index
    .command('add')
    .description('Embed new or changed documents with the knowledge base\'s document embedder and publish blocks + embeddings atomically')
    .requiredOption('--export <dir>', exportHelp)
    .requiredOption('--docs <file>', 'JSON lines {"title": str, "text": str}; a title already present replaces its blocks')
    .action(async (options: AddOptions) => {
      const [f, data] = await Promise.all([import('@realm/finetune-orqa'), import('@realm/data')]);
      await f.setupOrqaBackend('auto', { log: () => {} });
      const documents = [];
      for await (const doc of data.readInputDocuments(options.docs, 'jsonl')) documents.push(doc);
      let bar: Progress | undefined;
      const result = await f.addDocuments(options.export, documents, {
        log: (message) => console.error(`index add: ${message}`),
        onProgress: (done, total) => {
          bar ??= startProgress('index add: embedding', total, 'blocks');
          bar.update(done);
        },
      });
      bar?.stop(`${result.added} blocks`);
      console.log(JSON.stringify(result));
    });

  index
    .command('remove')
    .description('Remove every block of the given titles or uids and publish the smaller knowledge base atomically')
    .requiredOption('--export <dir>', exportHelp)
    .option('--docs <file>', 'JSON lines {"title": str} or {"uid": str}')
    .option('--title <title>', 'a document title to remove (repeatable)', collect, [])
    .option('--uid <uid>', 'a block uid (SHA-1 of title and text) to remove (repeatable)', collect, [])
    .action(async (options: RemoveOptions) => {
      const f = await import('@realm/finetune-orqa');
      const keys = [...options.title, ...options.uid, ...(options.docs ? await removalKeys(options.docs) : [])];
      console.log(JSON.stringify(await f.removeDocuments(options.export, keys, { log: (message) => console.error(`index remove: ${message}`) })));
    });
}
