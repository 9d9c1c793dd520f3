// The Storage contract, run against the local filesystem and against the object-store adapter
// (over an in-memory store with GCS semantics; the GCS client itself is a thin pass-through).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, describe, expect, test } from 'vitest';
import { LocalStorage, TEMP_PREFIX } from './local.js';
import { MemoryObjectStore, ObjectStoreStorage } from './object-store.js';
import type { Storage } from './storage.js';
import { expandShardSpec, globToRegExp, parseGcsUri, shardName } from './uri.js';

const tempRoots: string[] = [];
afterAll(async () => {
  for (const root of tempRoots) await rm(root, { recursive: true, force: true });
});

interface Backend {
  name: string;
  make(): Promise<{ storage: Storage; root: string }>;
}

const backends: Backend[] = [
  {
    name: 'local',
    make: async () => {
      const root = await mkdtemp(join(tmpdir(), 'realm-storage-'));
      tempRoots.push(root);
      return { storage: new LocalStorage(), root };
    },
  },
  { name: 'object store (gs://)', make: async () => ({ storage: new ObjectStoreStorage(new MemoryObjectStore()), root: 'gs://test-bucket/run' }) },
];

const utf8 = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe.each(backends)('Storage contract: $name', ({ make }) => {
  test('write then read round-trips bytes and strings; missing files name the location', async () => {
    const { storage, root } = await make();
    await storage.write(`${root}/a/b.bin`, new Uint8Array([0, 1, 255]));
    await storage.write(`${root}/a/c.txt`, 'héllo');
    expect([...(await storage.read(`${root}/a/b.bin`))]).toEqual([0, 1, 255]);
    expect(utf8(await storage.read(`${root}/a/c.txt`))).toBe('héllo');
    expect(await storage.exists(`${root}/a/b.bin`)).toBe(true);
    expect(await storage.exists(`${root}/a/zzz`)).toBe(false);
    await expect(storage.read(`${root}/a/zzz`)).rejects.toThrow(`storage: no such file: ${root}/a/zzz`);
    await expect(storage.openRead(`${root}/a/zzz`)).rejects.toThrow(`no such file: ${root}/a/zzz`);
  });

  test('streamed write is invisible until commit, and abort leaves nothing', async () => {
    const { storage, root } = await make();
    const writer = await storage.openWrite(`${root}/s/out.txt`);
    writer.stream.write('part one, ');
    expect(await storage.exists(`${root}/s/out.txt`)).toBe(false);
    writer.stream.write('part two');
    await writer.commit();
    expect(await text(await storage.openRead(`${root}/s/out.txt`))).toBe('part one, part two');

    const aborted = await storage.openWrite(`${root}/s/aborted.txt`);
    aborted.stream.write('never');
    await aborted.abort();
    expect(await storage.exists(`${root}/s/aborted.txt`)).toBe(false);
    expect(await storage.list(`${root}/s`)).toEqual([`${root}/s/out.txt`]);
  });

  test('list, glob over the last component and TF shard specs', async () => {
    const { storage, root } = await make();
    for (let i = 0; i < 3; i++) await storage.write(`${root}/c/${shardName('docs.tfr.gz', i, 3)}`, `shard ${i}`);
    await storage.write(`${root}/c/other.txt`, 'x');
    const shards = [0, 1, 2].map((i) => `${root}/c/docs.tfr.gz-0000${i}-of-00003`);
    expect(await storage.glob(`${root}/c/docs.tfr.gz-*-of-*`)).toEqual(shards);
    expect(await storage.glob(`${root}/c/docs.tfr.gz@3`)).toEqual(shards);
    expect(await storage.glob(`${root}/c/docs.tfr.gz-0000[02]-of-00003`)).toEqual([shards[0], shards[2]]);
    expect(await storage.glob(`${root}/c/nothing-*`)).toEqual([]);
    await expect(storage.glob(`${root}/c/docs.tfr.gz@4`)).rejects.toThrow(/missing/);
    expect(await storage.list(`${root}/c`)).toEqual([...shards, `${root}/c/other.txt`]);
  });

  test('publishDirectory appears whole, refuses to overwrite, and a failed build leaves nothing', async () => {
    const { storage, root } = await make();
    const destination = `${root}/export/123`;
    await storage.publishDirectory(destination, async (staging) => {
      await storage.write(`${staging}/weights.bin`, new Uint8Array([1, 2, 3]));
      await storage.write(`${staging}/nested/config.json`, '{"a":1}');
      expect(await storage.isPublished(destination)).toBe(false);
    });
    expect(await storage.isPublished(destination)).toBe(true);
    expect([...(await storage.read(`${destination}/weights.bin`))]).toEqual([1, 2, 3]);
    expect(utf8(await storage.read(`${destination}/nested/config.json`))).toBe('{"a":1}');
    await expect(storage.publishDirectory(destination, async () => {})).rejects.toThrow(/already exists/);

    await expect(
      storage.publishDirectory(`${root}/export/456`, async (staging) => {
        await storage.write(`${staging}/half.bin`, 'x');
        throw new Error('killed mid-export');
      }),
    ).rejects.toThrow('killed mid-export');
    expect(await storage.isPublished(`${root}/export/456`)).toBe(false);
    const listed = await storage.list(`${root}/export`);
    expect(listed.map((l) => l.slice(l.lastIndexOf('/') + 1))).toEqual(['123']);
  });
});

describe('local atomic write', () => {
  test('an interrupted write leaves the previous file intact and only a hidden temp file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'realm-storage-'));
    tempRoots.push(root);
    const storage = new LocalStorage();
    await storage.write(join(root, 'index.bin'), 'old');
    const writer = await storage.openWrite(join(root, 'index.bin'));
    writer.stream.write('new but unfinished');
    // A crash here: the old file is still what readers see.
    expect(utf8(await storage.read(join(root, 'index.bin')))).toBe('old');
    const names = await readdir(root);
    expect(names.filter((n) => n.startsWith(TEMP_PREFIX))).toHaveLength(1);
    expect(await storage.list(root)).toEqual([join(root, 'index.bin')]);
    await writer.abort();
    expect(await readdir(root)).toEqual(['index.bin']);
  });
});

describe('uri helpers', () => {
  test('parseGcsUri splits bucket and object and rejects malformed URIs', () => {
    expect(parseGcsUri('gs://realm-data/realm-data/pretrain_corpus/x.tfrecord.gz')).toEqual({
      bucket: 'realm-data',
      object: 'realm-data/pretrain_corpus/x.tfrecord.gz',
    });
    expect(parseGcsUri('gs://bucket')).toEqual({ bucket: 'bucket', object: '' });
    expect(() => parseGcsUri('gs:///nobucket')).toThrow('malformed GCS URI "gs:///nobucket"');
  });

  test('expandShardSpec follows TF naming: name@N.ext → name-0000i-of-0000N.ext', () => {
    expect(expandShardSpec('wiki@3.tfrecord.gz')).toEqual([
      'wiki-00000-of-00003.tfrecord.gz',
      'wiki-00001-of-00003.tfrecord.gz',
      'wiki-00002-of-00003.tfrecord.gz',
    ]);
    expect(expandShardSpec('plain.txt')).toEqual(['plain.txt']);
    expect(expandShardSpec('x@5000.tfrecord.gz')[4999]).toBe('x-04999-of-05000.tfrecord.gz');
  });

  test('globToRegExp handles *, ?, classes and literal dots', () => {
    expect(globToRegExp('a*.gz').test('abc.gz')).toBe(true);
    expect(globToRegExp('a*.gz').test('abcxgz')).toBe(false);
    expect(globToRegExp('?.txt').test('ab.txt')).toBe(false);
    expect(globToRegExp('[!a]b').test('cb')).toBe(true);
    expect(globToRegExp('[!a]b').test('ab')).toBe(false);
  });
});
