import { describe, expect, test } from 'vitest';
import { TfRecordError, encodeTfRecord, encodeTfRecords } from './framing.js';
import { countTfRecordStream, readTfRecordStream } from './record-stream.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const entry of readTfRecordStream(chunks, { source: 's' })) out.push(entry.payload);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<TfRecordError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TfRecordError);
    return error as TfRecordError;
  }
  throw new Error('expected a TfRecordError');
}

const payloads = [utf8(''), utf8('hello'), new Uint8Array(100).map((_, i) => (i * 7) & 0xff), utf8('end')];
const stream = encodeTfRecords(payloads);

describe('readTfRecordStream', () => {
  test('every chunk size from 1 byte to the whole stream gives the same records, indices and offsets', async () => {
    for (let size = 1; size <= stream.length; size++) {
      const entries = [];
      for await (const entry of readTfRecordStream(chunked(stream, size))) entries.push(entry);
      expect(entries.map((e) => e.payload)).toEqual(payloads);
      expect(entries.map((e) => e.index)).toEqual([0, 1, 2, 3]);
      expect(entries.map((e) => e.offset)).toEqual([0, 16, 16 + 21, 16 + 21 + 116]);
    }
  });

  test('empty chunks are tolerated', async () => {
    async function* withEmpties(): AsyncGenerator<Uint8Array> {
      for await (const chunk of chunked(stream, 5)) {
        yield new Uint8Array(0);
        yield chunk;
      }
    }
    expect(await collect(withEmpties())).toEqual(payloads);
  });

  test('truncation at every point is an error naming the check; at a record boundary it is a clean end', async () => {
    const boundaries = new Set([0, 16, 37, 153, stream.length]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const read = collect(chunked(stream.subarray(0, cut), 7));
      if (boundaries.has(cut)) {
        await expect(read).resolves.toHaveLength([...boundaries].indexOf(cut));
        continue;
      }
      const error = await rejection(read);
      const recordStart = [...boundaries].filter((b) => b < cut).pop();
      expect(error.offset).toBe(recordStart);
      expect(error.check).toBe(cut - (recordStart ?? 0) < 12 ? 'truncated header' : 'truncated payload');
    }
  });

  test('pulls chunks lazily: never more than one record plus one chunk ahead of the consumer', async () => {
    const record = encodeTfRecord(new Uint8Array(50).fill(7)); // 66 bytes framed
    const recordCount = 20_000;
    const chunkSize = 4096;
    let produced = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      // A 1.3 MB stream produced on demand and never held in memory at once.
      const chunk = new Uint8Array(chunkSize);
      let written = 0;
      const total = record.length * recordCount;
      while (written < total) {
        const n = Math.min(chunkSize, total - written);
        for (let i = 0; i < n; i++) chunk[i] = record[(written + i) % record.length];
        written += n;
        produced += n;
        yield chunk.slice(0, n);
      }
    }
    let count = 0;
    let maxAhead = 0;
    for await (const entry of readTfRecordStream(source())) {
      maxAhead = Math.max(maxAhead, produced - (entry.offset + record.length));
      count++;
    }
    expect(count).toBe(recordCount);
    expect(maxAhead).toBeLessThan(chunkSize);
  });

  test('breaking out early closes the source', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield* chunked(stream, 3);
      } finally {
        closed = true;
      }
    }
    for await (const entry of readTfRecordStream(source())) {
      if (entry.index === 1) break;
    }
    expect(closed).toBe(true);
  });

  test('a failing source becomes a read error at the record being read', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield stream.slice(0, 20);
      throw new Error('disk on fire');
    }
    const error = await rejection(collect(failing()));
    expect(error.message).toBe('s: record 1 at byte offset 16: read failed: disk on fire');
  });
});

describe('countTfRecordStream', () => {
  test('counts records, checks framing always and payload CRCs only when asked', async () => {
    expect(await countTfRecordStream(chunked(stream, 10))).toBe(4);
    const corrupt = stream.slice();
    corrupt[16 + 12 + 1] ^= 0xff; // a payload byte of record 1
    expect(await countTfRecordStream(chunked(corrupt, 10))).toBe(4);
    const error = await rejection(countTfRecordStream(chunked(corrupt, 10), { source: 'c', verifyPayloads: true }));
    expect(error.check).toBe('payload crc');
    expect(error.message).toMatch(/^c: record 1 at byte offset 16: payload CRC mismatch: .* over 5 payload bytes$/);
    const truncated = await rejection(countTfRecordStream(chunked(stream.subarray(0, stream.length - 1), 10)));
    expect(truncated.check).toBe('truncated payload');
  });
});
