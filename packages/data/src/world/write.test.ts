import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { generateWorld } from './generate.js';
import { WORLD_FILES, writeWorld } from './write.js';

const root = mkdtempSync(join(tmpdir(), 'realm-world-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function readJsonl(path: string): unknown[] {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
}

test('writeWorld writes every file in its format, with nothing else left behind, and round-trips', async () => {
  const world = generateWorld({ scale: 0.1, seed: 7 });
  const out = join(root, 'nested', 'world');
  const stats = await writeWorld(world, out);

  expect(readdirSync(out).sort()).toEqual(Object.values(WORLD_FILES).sort());
  // REALM retrieval-corpus JSONL: exactly {title, body}.
  expect(readJsonl(join(out, WORLD_FILES.documents))).toEqual(world.documents.map(({ title, body }) => ({ title, body })));
  expect(readJsonl(join(out, WORLD_FILES.pretrainTrain))).toEqual(world.pretrain.train);
  expect(readJsonl(join(out, WORLD_FILES.pretrainHeldout))).toEqual(world.pretrain.heldout);
  expect(readJsonl(join(out, WORLD_FILES.facts))).toEqual(world.facts);
  // NQ-open: exactly {question, answer: [...]}, no provenance fields.
  for (const [file, split] of [[WORLD_FILES.qaTrain, 'train'], [WORLD_FILES.qaDev, 'dev'], [WORLD_FILES.qaTest, 'test']] as const) {
    expect(readJsonl(join(out, file))).toEqual(world.qa[split].map((q) => ({ question: q.question, answer: q.answer })));
  }

  const manifest = JSON.parse(readFileSync(join(out, WORLD_FILES.manifest), 'utf8')) as { config: unknown; stats: typeof stats };
  expect(manifest.config).toEqual(world.config);
  expect(manifest.stats).toEqual(stats);
  expect(stats.documents).toBe(world.documents.length);
  expect(stats.entities).toEqual({ person: 40, place: 3, organisation: 2 });
  expect(stats.pretrain).toEqual({ train: world.pretrain.train.length, heldout: world.pretrain.heldout.length });
  expect(stats.heldoutFacts).toBe(world.pretrain.heldout.length);
});

test('writing again over an existing world replaces the files', async () => {
  const out = join(root, 'again');
  await writeWorld(generateWorld({ scale: 0.05, seed: 1 }), out);
  const second = generateWorld({ scale: 0.05, seed: 2 });
  await writeWorld(second, out);
  expect(readJsonl(join(out, WORLD_FILES.documents))).toEqual(second.documents);
  expect(readdirSync(out)).toHaveLength(Object.keys(WORLD_FILES).length);
});
