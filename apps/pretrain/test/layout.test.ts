import { mkdir, mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { listTimestamps, newestTimestamp, nextTimestamp, pruneTimestamps } from '../src/layout.js';
import { waitForNewerTimestamp } from '../src/watch.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'realm-layout-'));
}

describe('timestamped directories', () => {
  test('only integer-named directories count; staging names and files are ignored', async () => {
    const dir = await tempDir();
    for (const name of ['100', '25', 'temp-300', '.realm-tmp-400', '.500.tmp-x']) await mkdir(join(dir, name));
    await writeFile(join(dir, '900'), 'a file, not an export');
    expect(await listTimestamps(dir)).toEqual([25, 100]);
    expect(await newestTimestamp(dir)).toBe(100);
    expect(await newestTimestamp(join(dir, 'missing'))).toBeNull();
  });

  test('nextTimestamp is the clock unless an export already has that second or later', async () => {
    const dir = await tempDir();
    expect(await nextTimestamp(dir, 1000)).toBe(1000);
    await mkdir(join(dir, '1000'));
    expect(await nextTimestamp(dir, 1000)).toBe(1001);
    expect(await nextTimestamp(dir, 2000)).toBe(2000);
  });

  test('pruneTimestamps keeps the newest N', async () => {
    const dir = await tempDir();
    for (const ts of [1, 2, 3, 4, 5]) await mkdir(join(dir, String(ts)));
    expect(await pruneTimestamps(dir, 3)).toEqual([1, 2]);
    expect(await listTimestamps(dir)).toEqual([3, 4, 5]);
  });

  test('waitForNewerTimestamp wakes on a published rename long before its poll interval', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '10'));
    const started = Date.now();
    const waiting = waitForNewerTimestamp(dir, 10, { pollMs: 60_000 });
    setTimeout(() => {
      void (async () => {
        await mkdir(join(dir, '.staging'));
        await rename(join(dir, '.staging'), join(dir, '11'));
      })();
    }, 50);
    expect(await waiting).toBe(11);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('waitForNewerTimestamp returns null when aborted', async () => {
    const controller = new AbortController();
    const waiting = waitForNewerTimestamp(await tempDir(), null, { pollMs: 60_000, signal: controller.signal });
    controller.abort();
    expect(await waiting).toBeNull();
  });
});
