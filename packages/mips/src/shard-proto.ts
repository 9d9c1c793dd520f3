// The gRPC contract between ShardedMipsIndex and MipsShardServer (the distributed counterpart of
// faiss's IndexShards): the .proto text, and a lazy loader so that @grpc/grpc-js, @grpc/proto-loader
// and protobufjs are only imported by processes that actually serve or call remote shards.
import type * as Grpc from '@grpc/grpc-js';

/** Full name of the shard service (also the path prefix of its methods). */
export const MIPS_SHARD_SERVICE = 'realm.mips.v1.MipsShard';

/**
 * The shard service. Vectors travel as raw little-endian bytes (float32 queries and scores, int32
 * ids) rather than repeated fields: a 512×128 query batch is one 256 KiB copy, not 65k varints.
 */
export const MIPS_SHARD_PROTO = `
syntax = "proto3";
package realm.mips.v1;

service MipsShard {
  // What the shard holds: global ids first_id .. first_id + size - 1.
  rpc Info (InfoRequest) returns (InfoReply);
  // Top-k of the shard's rows for each query, with global ids.
  rpc Search (SearchRequest) returns (SearchReply);
}

message InfoRequest {}

message InfoReply {
  uint32 dim = 1;
  uint64 size = 2;
  uint64 first_id = 3;
  // Incremented by every add / replaceAll / reset made through the server (index refresh).
  uint64 generation = 4;
  // Row storage of the shard's index: float32, bfloat16, float16, int8 (empty if unknown).
  string storage = 5;
  // Largest k the shard answers.
  uint32 max_k = 6;
}

message SearchRequest {
  // numQueries × dim float32, row-major, little-endian.
  bytes queries = 1;
  // Must equal the shard's dim (catches a client/shard mismatch even when the lengths divide).
  uint32 dim = 2;
  // Results per query; signed so that a bad value reaches the server's check.
  int32 k = 3;
}

message SearchReply {
  uint32 num_queries = 1;
  uint32 k = 2;
  // numQueries × k float32 scores, best first, -Infinity padding; little-endian.
  bytes scores = 3;
  // numQueries × k int32 global ids, -1 padding; little-endian.
  bytes ids = 4;
  // The shard's generation and size when the search started.
  uint64 generation = 5;
  uint64 size = 6;
  uint64 first_id = 7;
}
`;

export interface InfoReply {
  dim: number;
  size: number;
  first_id: number;
  generation: number;
  storage: string;
  max_k: number;
}

export interface SearchRequest {
  queries: Buffer;
  dim: number;
  k: number;
}

export interface SearchReply {
  num_queries: number;
  k: number;
  scores: Buffer;
  ids: Buffer;
  generation: number;
  size: number;
  first_id: number;
}

export interface ShardRpc {
  readonly grpc: typeof Grpc;
  /** Method definitions (paths, serializers) of the MipsShard service. */
  readonly service: Grpc.ServiceDefinition;
  /** Generated client constructor for the service. */
  readonly Client: Grpc.ServiceClientConstructor;
}

let loading: Promise<ShardRpc> | undefined;

/** Imports grpc-js and builds the service definition once per process. */
export function loadShardRpc(): Promise<ShardRpc> {
  loading ??= (async (): Promise<ShardRpc> => {
    const [grpc, protoLoader, protobuf] = await Promise.all([import('@grpc/grpc-js'), import('@grpc/proto-loader'), import('protobufjs')]);
    const { root } = protobuf.default.parse(MIPS_SHARD_PROTO, { keepCase: true });
    // longs: Number is safe: sizes and ids stay far below 2^53. defaults: proto3 absent fields → 0 / "".
    const definition = protoLoader.fromJSON(root.toJSON(), { keepCase: true, longs: Number, defaults: true });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as { realm: { mips: { v1: { MipsShard: Grpc.ServiceClientConstructor } } } };
    const Client = loaded.realm.mips.v1.MipsShard;
    return { grpc, service: Client.service, Client };
  })();
  return loading;
}

/** Little-endian byte order is assumed for the raw vector fields (every platform Node ships on). */
export function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('@realm/mips gRPC shards need a little-endian host');
}

/** A view of `bytes` as float32 values, copied only when the buffer is not 4-byte aligned. */
export function float32View(bytes: Uint8Array): Float32Array {
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return new Float32Array(new Uint8Array(bytes).buffer);
}

/** A view of `bytes` as int32 values, copied only when the buffer is not 4-byte aligned. */
export function int32View(bytes: Uint8Array): Int32Array {
  if (bytes.byteOffset % 4 === 0) return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return new Int32Array(new Uint8Array(bytes).buffer);
}

/** The bytes of a typed array as a Buffer (no copy). */
export function bytesOf(values: Float32Array | Int32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}
