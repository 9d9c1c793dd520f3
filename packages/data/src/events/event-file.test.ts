import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { decodeEvent, encodeEvent, EventFileWriter, readEventFile } from './event-file.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

test('a scalar event encodes to the exact wire bytes of tensorflow.Event', () => {
  // Event{wall_time: 1.5, step: 3, summary{value{tag: "loss", simple_value: 2}}}, worked by hand:
  // 09 <double 1.5 LE> 10 03 2a 0d (summary, 13 bytes) 0a 0b (value, 11 bytes) 0a 04 "loss" 15 <float 2.0 LE>
  const bytes = encodeEvent({ wallTime: 1.5, step: 3, scalars: { loss: 2 } });
  expect(Buffer.from(bytes).toString('hex')).toBe(
    '09' + '000000000000f83f' + '1003' + '2a0d' + '0a0b' + '0a046c6f7373' + '1500000040',
  );
  expect(decodeEvent(bytes)).toEqual({ wallTime: 1.5, step: 3, scalars: { loss: 2 } });
});

test('EventFileWriter writes a TensorBoard file: version record first, then scalars by step', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'realm-events-'));
  dirs.push(dir);
  let clock = 1700000000;
  const writer = await EventFileWriter.open(dir, { now: () => clock++, host: 'testhost' });
  await writer.scalars(1, { loss: 3.5, retrieval_utility: 0.25 });
  await writer.scalars(2, { loss: 3 });
  await expect(writer.scalars(-1, { loss: 1 })).rejects.toThrow('step must be a non-negative integer, got -1');
  await writer.close();
  expect(basename(writer.path)).toBe('events.out.tfevents.1700000000.testhost');
  expect(await readEventFile(writer.path)).toEqual([
    { wallTime: 1700000000, step: 0, fileVersion: 'brain.Event:2' },
    { wallTime: 1700000001, step: 1, scalars: { loss: 3.5, retrieval_utility: 0.25 } },
    { wallTime: 1700000002, step: 2, scalars: { loss: 3 } },
  ]);
  expect((await readFile(writer.path)).length).toBeGreaterThan(0);
});
