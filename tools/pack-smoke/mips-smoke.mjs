// Smoke test of the packed @realm/mips, run by tools/pack-smoke/run.mjs inside a clean project:
// the installed package must import, add, search (on the calling thread and in worker threads,
// whose entry file must be in the tarball), serialize and load, and serve a shard over gRPC (whose
// libraries it imports lazily, so a missing dependency only shows here), with hand-checked ids.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ExactMipsIndex, MipsShardServer, RemoteMipsShard, ShardedMipsIndex, shutdownMipsWorkers } from '@realm/mips';

const resolved = fileURLToPath(import.meta.resolve('@realm/mips'));
assert.ok(resolved.startsWith(process.cwd()) && resolved.includes('node_modules'), `@realm/mips resolved to ${resolved}, not the installed tarball`);
console.log(`@realm/mips resolved to ${resolved}`);

// dim 2; scores for query (1, 2): 1, 2, 3, 1.5; for (1, 0): 1, 0, 1, 0.5 (ids 0 and 2 tie: 0 first).
const index = new ExactMipsIndex(2, { threads: 1 });
index.add(new Float32Array([1, 0, 0, 1, 1, 1, 0.5, 0.5]));
const { ids, scores } = await index.search(new Float32Array([1, 2, 1, 0]), 3);
assert.deepEqual(Array.from(ids), [2, 1, 3, 0, 2, 3]);
assert.deepEqual(Array.from(scores), [3, 2, 1.5, 1, 1, 0.5]);
console.log('calling-thread search: ids', Array.from(ids));

// The install step builds the native kernel (this machine kind has g++); 'auto' must pick it.
assert.ok(index.kernelName.startsWith('native-'), `kernel is ${index.kernelName}: the install-time native build did not load`);
console.log(`kernel: ${index.kernelName}`);
const wasmIndex = new ExactMipsIndex(2, { threads: 1, kernel: 'wasm' });
wasmIndex.add(new Float32Array([1, 0, 0, 1, 1, 1, 0.5, 0.5]));
assert.deepEqual(Array.from((await wasmIndex.search(new Float32Array([1, 2, 1, 0]), 3)).ids), [2, 1, 3, 0, 2, 3]);

// Worker threads: row i = (i, 1) for i < 1000, query (1, 0) → ids 999, 998, 997.
const rows = new Float32Array(2000);
for (let i = 0; i < 1000; i++) rows.set([i, 1], 2 * i);
const parallel = new ExactMipsIndex(2, { threads: 2, minParallelWork: 0, chunkRows: 300 });
parallel.add(rows);
const top = await parallel.search(new Float32Array([1, 0, 0, 1]), 3);
assert.deepEqual(Array.from(top.ids), [999, 998, 997, 0, 1, 2]);
console.log('worker search: ids', Array.from(top.ids));

const loaded = ExactMipsIndex.load(parallel.serialize(), { threads: 1 });
assert.equal(loaded.size, 1000);
assert.deepEqual(Array.from(loaded.reconstruct(123)), [123, 1]);

const int8 = new ExactMipsIndex(2, { threads: 1, storage: 'int8' });
int8.add(rows);
assert.deepEqual(Array.from((await int8.search(new Float32Array([1, 0]), 2)).ids), [999, 998]);

// gRPC: rows 500–999 served on a free loopback port, rows 0–499 local; query (1, 0) → 999, 998.
const served = new ExactMipsIndex(2, { threads: 1 });
served.add(rows.subarray(1000));
const local = new ExactMipsIndex(2, { threads: 1 });
local.add(rows.subarray(0, 1000));
let server;
try {
  server = await MipsShardServer.start(served, { firstId: 500 });
} catch (error) {
  throw new Error(`gRPC shard server failed to start from the packed package (a dependency missing from package.json?): ${error.message}`);
}
const remote = await RemoteMipsShard.connect(server.address, { deadlineMs: 10_000 });
const sharded = new ShardedMipsIndex([{ index: local, firstId: 0 }, remote]);
const shardedTop = await sharded.search(new Float32Array([1, 0, 0, 1]), 3);
assert.deepEqual(Array.from(shardedTop.ids), [999, 998, 997, 0, 1, 2]);
console.log(`gRPC shard at ${server.address}: sharded search ids`, Array.from(shardedTop.ids));
sharded.close();
await server.close();

await shutdownMipsWorkers();
console.log('@realm/mips smoke: OK');
