// `realm index add|remove --export` on a REALM pre-training run (a tiny one made here: prepare,
// bootstrap export, one refresher pass): the newest encoded export is picked and said, the run's
// own kb/ is built from it and then updated in place; the run's export/ dir works too; and a
// directory holding neither a knowledge base nor an encoded export is a clear error.
import { cp, mkdtemp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disposeBertModel, loadBertModel } from '@realm/bert';
import { loadBlockEmb } from '@realm/mips';
import { encodedCheckpointPrefix, listTimestamps, prepareRun, programContext, runBootstrap, runRefresher, type PretrainConfig, type RunLayout } from '@realm/pretrain';
import { beforeAll, describe, expect, test } from 'vitest';
import { setupOrqaBackend } from '../src/backend.js';
import { addDocuments, removeDocuments } from '../src/index-update.js';
import { knowledgeBaseFromPretrainRun, resolveKnowledgeBaseTarget } from '../src/kb-target.js';
import { readKnowledgeBase, readPretrainRun } from '../src/knowledge-base.js';
import { embedBlocks } from '../src/model-io.js';

const quiet = programContext('test', { signal: new AbortController().signal, log: () => {} });
const TINY = [
  'world.scale=0.05',
  'model.embedder.hidden_size=16', 'model.embedder.num_hidden_layers=1', 'model.embedder.intermediate_size=32',
  'model.reader.hidden_size=16', 'model.reader.num_hidden_layers=1', 'model.reader.intermediate_size=32',
  'ict.maxSeconds=0.2', 'ict.batchSize=4', 'refresher.batchSize=16',
];
let layout: RunLayout;
let config: PretrainConfig;
let ts: number;

beforeAll(async () => {
  await setupOrqaBackend('cpu', quiet);
  const dir = await mkdtemp(join(tmpdir(), 'orqa-kb-target-'));
  ({ layout, config } = await prepareRun(join(dir, 'run'), TINY, quiet));
  await runBootstrap(layout, config, quiet);
  ts = (await listTimestamps(layout.tfHub))[0];
}, 60_000);

describe('index add|remove --export <pre-training run>', () => {
  test('before the refresher has encoded anything, the error names the run and what was looked for', async () => {
    await expect(resolveKnowledgeBaseTarget(layout.root)).rejects.toThrow(
      `${layout.root}: no knowledge base to update: looked for export/encoded/<ts>/embedder/encoded/encoded.ckpt (the block_emb of an export/tf_hub/<ts> document embedder) ` +
        `and found export/tf_hub/${ts} but nothing encoded yet; run \`realm pretrain all --out ${layout.root}\` until its refresher publishes export/encoded`,
    );
    const empty = await mkdtemp(join(tmpdir(), 'orqa-kb-none-'));
    await expect(addDocuments(empty, [{ title: 'T', text: 'Some text.', source: 'test:1' }])).rejects.toThrow(
      `${empty}: no knowledge base to update: looked for kb.json (a version), <ts>/ versions, kb/ (a \`finetune-orqa train\` output) and config.json with export/ (a \`realm pretrain\` run)`,
    );
  });

  test('picks the newest encoded export and its embedder, builds <run>/kb from it, then updates that in place', async () => {
    await runRefresher(layout, config, { once: true }, quiet);
    expect(await listTimestamps(layout.encoded)).toEqual([ts]);
    // An export the refresher has not embedded yet is passed over (its block_emb does not exist), and said so.
    await cp(join(layout.tfHub, String(ts)), join(layout.tfHub, String(ts + 10)), { recursive: true });
    const prefix = encodedCheckpointPrefix(join(layout.encoded, String(ts)));
    const picked = await knowledgeBaseFromPretrainRun(layout.root);
    expect(picked.picked).toBe(`${layout.root}: document embedder export/tf_hub/${ts} (step 0) with its block_emb ${prefix}; export/tf_hub/${ts + 10} is newer but not encoded yet`);
    expect(picked.kb.embedderDir).toBe(join(layout.tfHub, String(ts), 'embedder'));

    const messages: string[] = [];
    const doc = { title: 'Zed Novel', text: 'Zed Novel was born in 1901. He worked as a baker.', source: 'test:1' };
    const added = await addDocuments(layout.root, [doc], { log: (m) => messages.push(m) });
    expect(messages).toEqual([`updating ${picked.picked}; the updated knowledge base goes to ${join(layout.root, 'kb')}`]);
    expect(added.dir.startsWith(join(layout.root, 'kb') + '/')).toBe(true);
    const run = await readPretrainRun(layout.root, false);
    expect(added).toMatchObject({ added: 1, removed: 0, unchanged: 0, total: run.blocks.length + 1 });

    // The run's blocks and block_emb, unchanged, then the new block embedded by the export's document embedder.
    const kb = await readKnowledgeBase(added.dir);
    const encoded = await loadBlockEmb(prefix);
    expect(kb.blocks.slice(0, -1)).toEqual(run.blocks);
    expect(kb.blocks.at(-1)).toEqual({ title: doc.title, text: doc.text });
    expect(kb.vectors.subarray(0, encoded.vectors.length)).toEqual(encoded.vectors);
    expect(kb.manifest).toMatchObject({ dim: encoded.dim, documentSeqLen: config.dims.candidateSeqLen, source: `REALM export ${join(layout.encoded, String(ts))}; index add of 1 documents` });
    const embedder = await loadBertModel(join(layout.tfHub, String(ts), 'embedder'));
    const expected = await embedBlocks(embedder, kb.tokenizer, [kb.blocks.at(-1)!], kb.manifest.documentSeqLen);
    disposeBertModel(embedder);
    expect(kb.vectors.subarray(encoded.vectors.length)).toEqual(expected);

    // Through export/: the run's own kb/ is now the one updated (the added document is still there).
    messages.length = 0;
    const removed = await removeDocuments(join(layout.root, 'export'), ['Zed Novel'], { log: (m) => messages.push(m) });
    expect(messages[0]).toBe(`updating knowledge base ${added.dir} (the pre-training run's own, from an earlier \`index add|remove\`; ${kb.manifest.source})`);
    expect(removed).toMatchObject({ removed: 1, total: run.blocks.length });
    const restored = await readKnowledgeBase(join(layout.root, 'kb'));
    expect(restored.dir).toBe(removed.dir);
    expect(restored.blocks).toEqual(run.blocks);
    expect(restored.vectors).toEqual(encoded.vectors);
    // The export itself is never written to.
    expect(existsSync(join(layout.encoded, String(ts), 'kb.json'))).toBe(false);
  }, 60_000);
});
