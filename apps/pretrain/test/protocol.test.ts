import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, test } from 'vitest';
import { decodeExample, encodeExample, featurizeRealmExample, NULL_CANDIDATE_DOCUMENT, realmExampleFromTfExample, realmExampleToTfExample } from '@realm/data';
import { ExampleClient, ExampleStream, freePort, GET_EXAMPLES_METHOD, MAX_EXAMPLES_PER_CALL, startExampleServer, type RunningServer } from '../src/index.js';
import { BoundedQueue } from '../src/queue.js';

const dims = { querySeqLen: 8, candidateSeqLen: 10, numCandidates: 3, maxMasks: 2 };
const ids = { cls: 2, sep: 3 };

function serializedExample(seed: number): Uint8Array {
  const example = featurizeRealmExample(
    { maskedIds: [10 + seed, 4, 12], mlmPositions: [2, 0], mlmTargets: [11, 0], mlmWeights: [1, 0] },
    [NULL_CANDIDATE_DOCUMENT, { titleIds: [20], bodyIds: [21, 22] }, { titleIds: [30], bodyIds: [31] }],
    ids,
    dims,
    1234,
  );
  return encodeExample(realmExampleToTfExample(example, dims));
}

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(queue: BoundedQueue<Uint8Array>, port = 0): Promise<RunningServer> {
  const server = await startExampleServer({ mode: 'train', take: (max, waitMs) => queue.take(max, waitMs), indexTimestamp: () => 77 }, { port });
  servers.push(server);
  return server;
}

describe('GetExamples protocol', () => {
  test('examples cross the wire byte for byte and decode back to the RealmExample', async () => {
    const queue = new BoundedQueue<Uint8Array>(8);
    for (let i = 0; i < 3; i++) await queue.push(serializedExample(i));
    const server = await serve(queue);
    expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const client = new ExampleClient(server.address);
    const reply = await client.getExamples(2, 0);
    client.close();
    expect(reply.mode).toBe('train');
    expect(reply.index_timestamp).toBe(77);
    expect(reply.examples).toHaveLength(2);
    expect(reply.examples[1]).toEqual(serializedExample(1));
    const decoded = realmExampleFromTfExample(decodeExample(reply.examples[0]), dims);
    expect(Array.from(decoded.queryInputs.tokenIds)).toEqual([2, 10, 4, 12, 3, 0, 0, 0]);
    expect(Array.from(decoded.candidateInputs.tokenIds.subarray(0, 10))).toEqual([2, 3, 3, 0, 0, 0, 0, 0, 0, 0]);
    expect(decoded.exportTimestamp).toBe(1234);
  });

  test('an empty queue answers with no examples after the long-poll', async () => {
    const server = await serve(new BoundedQueue<Uint8Array>(1));
    const client = new ExampleClient(server.address);
    const reply = await client.getExamples(4, 30);
    client.close();
    expect(reply.examples).toEqual([]);
  });

  test('malformed requests get INVALID_ARGUMENT and the server keeps serving', async () => {
    const queue = new BoundedQueue<Uint8Array>(2);
    await queue.push(serializedExample(0));
    const server = await serve(queue);
    const client = new ExampleClient(server.address);
    await expect(client.getExamples(0, 0)).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: `GetExamples: max must be an integer in [1, ${MAX_EXAMPLES_PER_CALL}], got 0` });
    await expect(client.getExamples(1, -5)).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    // Bytes that are not a GetExamplesRequest at all.
    const raw = new grpc.Client(server.address, grpc.credentials.createInsecure());
    const rawError = await new Promise<grpc.ServiceError | null>((resolve) =>
      raw.makeUnaryRequest(GET_EXAMPLES_METHOD, (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0xff, 0xff, 0xff]), (error) => resolve(error)),
    );
    raw.close();
    expect(rawError?.code).not.toBe(grpc.status.OK);
    expect((await client.getExamples(1, 0)).examples).toHaveLength(1);
    client.close();
  });

  test('the trainer stream waits while no generator is up, then gets its examples', async () => {
    const port = await freePort();
    const logs: string[] = [];
    const stream = new ExampleStream([`127.0.0.1:${port}`], { waitMs: 50, retryMs: 50, log: (m) => logs.push(m) });
    const pending = stream.take(2);
    await new Promise((r) => setTimeout(r, 300));
    const queue = new BoundedQueue<Uint8Array>(4);
    await serve(queue, port);
    await queue.push(serializedExample(5));
    await queue.push(serializedExample(6));
    expect(await pending).toEqual([serializedExample(5), serializedExample(6)]);
    stream.close();
    expect(logs[0]).toMatch(new RegExp(`^generator 127\\.0\\.0\\.1:${port} unavailable`));
    expect(logs).toContain(`generator 127.0.0.1:${port} is up again`);
  });

  test('a restarted generator rejoins the same stream', async () => {
    const port = await freePort();
    const first = new BoundedQueue<Uint8Array>(4);
    const server = await serve(first, port);
    const stream = new ExampleStream([`127.0.0.1:${port}`], { waitMs: 50, retryMs: 50 });
    await first.push(serializedExample(1));
    expect(await stream.take(1)).toEqual([serializedExample(1)]);
    await server.close();
    const pending = stream.take(1);
    await new Promise((r) => setTimeout(r, 200));
    const second = new BoundedQueue<Uint8Array>(4);
    await serve(second, port);
    await second.push(serializedExample(2));
    expect(await pending).toEqual([serializedExample(2)]);
    stream.close();
  });
});
