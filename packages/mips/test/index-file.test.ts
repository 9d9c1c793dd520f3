import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ExactMipsIndex, STORAGE_DTYPES, loadIndex, saveIndex } from '../src/index.js';
import { randomMatrix } from './reference.js';

const root = mkdtempSync(join(tmpdir(), 'realm-mips-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test.each(STORAGE_DTYPES)('%s: saveIndex streams chunk by chunk and writes exactly serialize()’s bytes; loadIndex reads it back in pieces', async (storage) => {
  const dim = 6;
  // chunkRows 4: 23 rows span 6 chunks; ioBytes 40 splits chunks on save and reads 1–3 rows at a time.
  const index = new ExactMipsIndex(dim, { threads: 1, chunkRows: 4, storage });
  index.add(randomMatrix(101, 23, dim));
  const path = join(root, `${storage}.mips`);
  await saveIndex(path, index, { ioBytes: 40 });
  expect(new Uint8Array(readFileSync(path))).toEqual(index.serialize());
  for (const ioBytes of [1, 40, 1 << 20]) {
    const loaded = await loadIndex(path, { threads: 1, chunkRows: 5 }, { ioBytes });
    expect([loaded.size, loaded.dim, loaded.options.storage, loaded.options.chunkRows]).toEqual([23, dim, storage, 5]);
    expect(loaded.serialize()).toEqual(index.serialize());
    const queries = randomMatrix(102, 3, dim);
    expect(await loaded.search(queries, 7)).toEqual(await index.search(queries, 7));
  }
  expect(readdirSync(root).filter((name) => name.includes('.tmp-'))).toEqual([]);
});

test('an empty index saves and loads', async () => {
  const path = join(root, 'empty.mips');
  await saveIndex(path, new ExactMipsIndex(3, { threads: 1 }));
  expect((await loadIndex(path)).size).toBe(0);
});

test('a flipped byte, a truncated file and a missing file are reported with the path', async () => {
  const index = new ExactMipsIndex(4, { threads: 1, chunkRows: 2, storage: 'int8' });
  index.add(randomMatrix(103, 9, 4));
  const path = join(root, 'good.mips');
  await saveIndex(path, index, { ioBytes: 8 });
  const bytes = readFileSync(path);
  const damaged = (name: string, change: (b: Buffer) => Buffer): string => {
    const target = join(root, name);
    writeFileSync(target, change(Buffer.from(bytes)));
    return target;
  };
  for (const offset of [40, 40 + 9 * 4 + 5, bytes.length - 1]) {
    const flipped = damaged(`flip-${offset}.mips`, (b) => {
      b[offset] ^= 0x01;
      return b;
    });
    await expect(loadIndex(flipped, {}, { ioBytes: 8 })).rejects.toThrow(
      new RegExp(`^${flipped.replace(/[.]/g, '\\.')}: payload checksum mismatch \\(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\\): the vectors are corrupt$`),
    );
  }
  const header = damaged('flip-header.mips', (b) => {
    b[17] ^= 0x40;
    return b;
  });
  await expect(loadIndex(header)).rejects.toThrow(`${header}: header checksum mismatch`);
  const short = damaged('short.mips', (b) => b.subarray(0, b.length - 3));
  await expect(loadIndex(short)).rejects.toThrow(`${short}: size ${bytes.length - 3} bytes does not match the header (9 rows × dim 4 int8 + row scales = ${bytes.length} bytes)`);
  const stub = damaged('stub.mips', (b) => b.subarray(0, 12));
  await expect(loadIndex(stub)).rejects.toThrow(`${stub}: 12 bytes is shorter than the 40-byte header`);
  await expect(loadIndex(join(root, 'missing.mips'))).rejects.toThrow(`loadIndex ${join(root, 'missing.mips')}: cannot open (ENOENT)`);
});

test('saveIndex replaces a file atomically and leaves no temp file behind on failure', async () => {
  const path = join(root, 'replace.mips');
  const first = new ExactMipsIndex(2, { threads: 1 });
  first.add(new Float32Array([1, 2]));
  await saveIndex(path, first);
  const second = new ExactMipsIndex(2, { threads: 1 });
  second.add(new Float32Array([3, 4, 5, 6]));
  await saveIndex(path, second);
  expect(Array.from((await loadIndex(path)).reconstruct(1))).toEqual([5, 6]);
  const badPath = join(root, 'no-such-dir', 'x.mips');
  await expect(saveIndex(badPath, second)).rejects.toThrow(`saveIndex ${badPath}: ENOENT`);
  expect(readdirSync(root).filter((name) => name.includes('.tmp-'))).toEqual([]);
  await expect(saveIndex(path, second, { ioBytes: 0 })).rejects.toThrow('ioBytes must be an integer in 1 … 2^31 − 1, got 0');
});
