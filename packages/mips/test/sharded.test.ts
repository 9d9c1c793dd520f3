import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ExactMipsIndex,
  MIPS_SHARD_PROTO,
  MipsShardServer,
  RemoteMipsShard,
  ShardedMipsIndex,
  shutdownMipsWorkers,
  type MipsIndex,
  type SearchResult,
} from '../src/index.js';
import { expectSameResult, naiveSearch, randomMatrix } from './reference.js';
import { createRng } from '@realm/tokenizer';

const servers: MipsShardServer[] = [];
const clients: RemoteMipsShard[] = [];
afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(servers.map((s) => s.close()));
  await shutdownMipsWorkers();
});

async function serve(index: MipsIndex, firstId: number, options: { maxK?: number } = {}): Promise<MipsShardServer> {
  const server = await MipsShardServer.start(index, { firstId, ...options });
  servers.push(server);
  return server;
}

async function connect(address: string, deadlineMs?: number): Promise<RemoteMipsShard> {
  const client = await RemoteMipsShard.connect(address, deadlineMs === undefined ? {} : { deadlineMs });
  clients.push(client);
  return client;
}

/** Components in {-2, …, 2}: many rows score equally, so the tie rule decides most top-k slots. */
function smallIntegerMatrix(seed: number, rows: number, dim: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: rows * dim }, () => Math.floor(rng.next() * 5) - 2);
}

const DIM = 16;
// Global ranges: local 0–69, local 70–149, remote 150–229, local 230–249, remote 250–299.
const CUTS = [0, 70, 150, 230, 250, 300];
const REMOTE_PARTS = new Set([2, 4]);

describe.each([
  ['random floats', randomMatrix(61, 300, DIM), randomMatrix],
  ['small integers (ties everywhere)', smallIntegerMatrix(62, 300, DIM), smallIntegerMatrix],
])('ShardedMipsIndex over 3 local + 2 remote shards (%s)', (_name, vectors, makeQueries) => {
  let sharded: ShardedMipsIndex;
  let whole: ExactMipsIndex;

  beforeAll(async () => {
    whole = new ExactMipsIndex(DIM, { threads: 1 });
    whole.add(vectors);
    const shards = [];
    for (let part = 0; part < CUTS.length - 1; part++) {
      const index = new ExactMipsIndex(DIM, { threads: 1 });
      index.add(vectors.subarray(CUTS[part] * DIM, CUTS[part + 1] * DIM));
      if (REMOTE_PARTS.has(part)) shards.push(await connect((await serve(index, CUTS[part])).address));
      else shards.push({ index, firstId: CUTS[part] });
    }
    // Given out of order: the merge, not the shard order, decides the result order.
    sharded = new ShardedMipsIndex([shards[3], shards[2], shards[0], shards[4], shards[1]]);
  });

  test.each([
    [1, 1],
    [1, 10],
    [5, 7],
    [9, 64],
    [3, 300],
    [2, 310],
  ])('%i queries, k=%i: identical to one index holding every row, and to the naive loop', async (numQueries, k) => {
    expect(sharded.size).toBe(300);
    const queries = makeQueries(70 + numQueries, numQueries, DIM);
    const result = await sharded.search(queries, k);
    const reference = await whole.search(queries, k);
    expect(Array.from(result.ids)).toEqual(Array.from(reference.ids));
    expect(Array.from(result.scores)).toEqual(Array.from(reference.scores));
    expectSameResult(result, naiveSearch(vectors, queries, DIM, k), k, expect);
  });
});

test('ties across shard boundaries go to the lower global id', async () => {
  // The same row at global ids 3 (local), 12 (remote) and 25 (local, after the remote range).
  const row = Float32Array.from({ length: DIM }, (_, j) => (j % 3) - 1);
  const filler = (n: number): Float32Array => new Float32Array(n * DIM);
  const a = new ExactMipsIndex(DIM, { threads: 1 });
  a.add(filler(3));
  a.add(row);
  a.add(filler(6)); // ids 0–9
  const b = new ExactMipsIndex(DIM, { threads: 1 });
  b.add(filler(2));
  b.add(row);
  b.add(filler(7)); // ids 10–19
  const c = new ExactMipsIndex(DIM, { threads: 1 });
  c.add(filler(5));
  c.add(row); // ids 20–25
  const remote = await connect((await serve(b, 10)).address);
  const sharded = new ShardedMipsIndex([{ index: c, firstId: 20 }, remote, { index: a, firstId: 0 }]);
  const { ids, scores } = await sharded.search(row, 4);
  const self = row.reduce((sum, x) => sum + x * x, 0);
  expect(Array.from(ids)).toEqual([3, 12, 25, 0]);
  expect(Array.from(scores)).toEqual([self, self, self, 0]);
});

describe('MipsShardServer', () => {
  let server: MipsShardServer;
  let raw: grpc.Client;
  const Types = protobuf.parse(MIPS_SHARD_PROTO, { keepCase: true }).root;
  const SearchRequest = Types.lookupType('realm.mips.v1.SearchRequest');
  const encode = (fields: Record<string, unknown>): Buffer => Buffer.from(SearchRequest.encode(SearchRequest.create(fields)).finish());
  const f32 = (values: number[]): Buffer => Buffer.from(new Float32Array(values).buffer);

  beforeAll(async () => {
    const index = new ExactMipsIndex(4, { threads: 1 });
    index.add(new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]));
    server = await serve(index, 100, { maxK: 50 });
    raw = new grpc.Client(server.address, grpc.credentials.createInsecure());
  });
  afterAll(() => raw.close());

  /** Sends raw bytes to Search, bypassing every client-side check. */
  function rawSearch(bytes: Buffer): Promise<{ code: number; details: string }> {
    return new Promise((resolve) => {
      raw.makeUnaryRequest('/realm.mips.v1.MipsShard/Search', (b: Buffer) => b, (b: Buffer) => b, bytes, { deadline: Date.now() + 5000 }, (error) => {
        resolve({ code: error?.code ?? grpc.status.OK, details: error?.details ?? '' });
      });
    });
  }

  test('binds 127.0.0.1 by default and reports dim, size, firstId, generation in Info', async () => {
    expect(server.address).toBe(`127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    const client = await connect(server.address);
    expect(client.info).toEqual({ address: server.address, dim: 4, size: 3, firstId: 100, generation: 0, storage: 'float32', maxK: 50 });
  });

  test.each([
    ['wrong byte length', { queries: Buffer.alloc(30), dim: 4, k: 1 }, 'SearchRequest.queries has 30 bytes, which is not a multiple of 4·dim = 16 (float32 rows of dim 4)'],
    ['dim mismatch', { queries: f32([1, 2, 3, 4, 5, 6, 7, 8]), dim: 8, k: 1 }, "SearchRequest.dim 8 does not match this shard's dim 4"],
    ['dim missing', { queries: f32([1, 2, 3, 4]), k: 1 }, "SearchRequest.dim 0 does not match this shard's dim 4"],
    ['k = 0', { queries: f32([1, 2, 3, 4]), dim: 4, k: 0 }, 'SearchRequest.k must be a positive integer, got 0'],
    ['k < 0', { queries: f32([1, 2, 3, 4]), dim: 4, k: -3 }, 'SearchRequest.k must be a positive integer, got -3'],
    ['k too large', { queries: f32([1, 2, 3, 4]), dim: 4, k: 51 }, "SearchRequest.k 51 exceeds this shard's maxK 50"],
    ['NaN', { queries: f32([1, 2, 3, 4, 0, NaN, 0, 0]), dim: 4, k: 2 }, 'SearchRequest.queries row 1 component 1 is NaN (only finite values are allowed)'],
    ['Infinity', { queries: f32([Infinity, 2, 3, 4]), dim: 4, k: 2 }, 'SearchRequest.queries row 0 component 0 is Infinity (only finite values are allowed)'],
  ])('%s → INVALID_ARGUMENT with a clear message', async (_name, fields, message) => {
    expect(await rawSearch(encode(fields))).toEqual({ code: grpc.status.INVALID_ARGUMENT, details: message });
  });

  test('bytes that are not protobuf → INVALID_ARGUMENT; the server keeps answering', async () => {
    const reply = await rawSearch(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]));
    expect(reply.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(reply.details).toMatch(/^SearchRequest: cannot decode 5 bytes as protobuf \(.+\)$/);
    const client = await connect(server.address);
    const { ids, scores, generation } = await client.search(new Float32Array([0, 2, 1, 0]), 4);
    expect(Array.from(ids)).toEqual([101, 102, 100, -1]);
    expect(Array.from(scores)).toEqual([2, 1, 0, -Infinity]);
    expect(generation).toBe(server.generation);
  });

  test('a valid raw request gets global ids (firstId + row) as little-endian int32', async () => {
    const reply = await new Promise<Buffer>((resolve, reject) => {
      raw.makeUnaryRequest('/realm.mips.v1.MipsShard/Search', (b: Buffer) => b, (b: Buffer) => b, encode({ queries: f32([0, 0, 3, 0]), dim: 4, k: 1 }), (error, value) =>
        error === null && value !== undefined ? resolve(value) : reject(error ?? new Error('empty')),
      );
    });
    const decoded = Types.lookupType('realm.mips.v1.SearchReply').toObject(Types.lookupType('realm.mips.v1.SearchReply').decode(reply)) as { ids: Uint8Array; scores: Uint8Array };
    expect(Buffer.from(decoded.ids).readInt32LE(0)).toBe(102);
    expect(Buffer.from(decoded.scores).readFloatLE(0)).toBe(3);
  });

  test('replaceAll through the server bumps the generation; clients see the new rows and size', async () => {
    const index = new ExactMipsIndex(2, { threads: 1 });
    index.add(new Float32Array([1, 0, 0, 1]));
    const shard = await serve(index, 0);
    const client = await connect(shard.address);
    expect(client.info.generation).toBe(0);
    shard.replaceAll(new Float32Array([0, 1, 1, 0, 2, 2]));
    const result = await client.search(new Float32Array([1, 0]), 2);
    expect([Array.from(result.ids), result.generation, client.info.size]).toEqual([[2, 1], 1, 3]); // scores 2 (row 2) and 1 (row 1)
    shard.add(new Float32Array([5, 0]));
    expect(await client.refreshInfo()).toMatchObject({ size: 4, generation: 2 });
    expect(() => shard.replaceAll(new Float32Array(3))).toThrow('replaceAll: matrix has 3 values, which is not a multiple of dim 2');
    expect(shard.generation).toBe(2);
  });
});

describe('failures name the shard; no partial results', () => {
  test('an unreachable address fails connect within the deadline', async () => {
    const gone = await serve(new ExactMipsIndex(4, { threads: 1 }), 0);
    const address = gone.address;
    await gone.close();
    await expect(RemoteMipsShard.connect(address, { deadlineMs: 2000 })).rejects.toThrow(new RegExp(`^mips shard ${address}: Info failed: (14 UNAVAILABLE|4 DEADLINE_EXCEEDED)`));
  });

  test('a shard that goes away fails the whole sharded search', async () => {
    const local = new ExactMipsIndex(4, { threads: 1 });
    local.add(randomMatrix(80, 5, 4));
    const remoteIndex = new ExactMipsIndex(4, { threads: 1 });
    remoteIndex.add(randomMatrix(81, 5, 4));
    const server = await serve(remoteIndex, 5);
    const remote = await connect(server.address, 2000);
    const sharded = new ShardedMipsIndex([{ index: local, firstId: 0 }, remote]);
    expect(Array.from((await sharded.search(randomMatrix(82, 1, 4), 10)).ids).filter((id) => id >= 5)).toHaveLength(5);
    await server.close();
    await expect(sharded.search(randomMatrix(82, 1, 4), 10)).rejects.toThrow(new RegExp(`^ShardedMipsIndex.search: mips shard ${server.address}: Search failed: (14 UNAVAILABLE|4 DEADLINE_EXCEEDED)`));
  });

  test('a shard slower than the deadline fails with DEADLINE_EXCEEDED', async () => {
    const stalled: MipsIndex = {
      dim: 4, size: 1,
      search: () => new Promise<SearchResult>(() => undefined),
      add: () => undefined, reset: () => undefined, replaceAll: () => undefined,
      reconstruct: () => new Float32Array(4), serialize: () => new Uint8Array(),
    };
    const server = await serve(stalled, 0);
    const remote = await connect(server.address, 300);
    await expect(remote.search(new Float32Array(4), 1)).rejects.toThrow(`mips shard ${server.address}: Search failed: 4 DEADLINE_EXCEEDED`);
    await server.close(50); // the stalled call never finishes: cut it after 50 ms
  });

  test('client-side checks, overlapping ranges, dims, and the shard-by-shard operations', async () => {
    const index = new ExactMipsIndex(4, { threads: 1 });
    index.add(randomMatrix(83, 10, 4));
    const server = await serve(index, 8);
    const remote = await connect(server.address);
    await expect(remote.search(new Float32Array(6), 1)).rejects.toThrow('search: queries has 6 values, which is not a multiple of dim 4');
    await expect(remote.search(new Float32Array(4), 0)).rejects.toThrow('search: k must be a positive integer, got 0');
    const local = new ExactMipsIndex(4, { threads: 1 });
    local.add(randomMatrix(84, 10, 4));
    expect(() => new ShardedMipsIndex([{ index: local, firstId: 0 }, remote])).toThrow(
      `ShardedMipsIndex: local shard (ids 0 … 9) overlaps remote shard ${server.address} (ids 8 … 17)`,
    );
    expect(() => new ShardedMipsIndex([{ index: new ExactMipsIndex(3), firstId: 0 }, remote])).toThrow(
      `ShardedMipsIndex: remote shard ${server.address} (ids 8 … 17) has dim 4, but local shard (empty, first id 0) has dim 3`,
    );
    const sharded = new ShardedMipsIndex([remote, { index: local, firstId: 18 }]);
    expect(Array.from(sharded.reconstruct(20))).toEqual(Array.from(local.reconstruct(2)));
    expect(() => sharded.reconstruct(9)).toThrow(`reconstruct: id 9 lives on remote shard ${server.address} (ids 8 … 17); rows are not served over gRPC`);
    expect(() => sharded.reconstruct(3)).toThrow("reconstruct: id 3 is in no shard's range");
    sharded.add(randomMatrix(85, 2, 4));
    expect([local.size, sharded.size]).toEqual([12, 22]);
    expect(() => sharded.replaceAll()).toThrow('ShardedMipsIndex.replaceAll: a sharded index is refreshed shard by shard');
    expect(() => new ShardedMipsIndex([remote]).add(new Float32Array(4))).toThrow(`ShardedMipsIndex.add: the shard holding the highest ids is remote shard ${server.address}`);
  });
});
