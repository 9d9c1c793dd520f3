// MipsShardServer: serves one MipsIndex holding a contiguous range of global ids over gRPC — the
// remote half of faiss's IndexShards (each shard answers top-k for its rows; the caller merges).
// Every malformed request is answered with INVALID_ARGUMENT and a message naming the field; none can
// take the server down.
import type * as Grpc from '@grpc/grpc-js';
import { z } from 'zod';
import type { MipsIndex } from './types.js';
import { assertLittleEndian, bytesOf, float32View, loadShardRpc, type InfoReply, type SearchReply, type SearchRequest, type ShardRpc } from './shard-proto.js';

/** Global ids travel as int32, as in SearchResult. */
const MAX_GLOBAL_ID = 2 ** 31 - 1;

export const MipsShardServerOptionsSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1').describe('Interface to bind; the loopback default keeps a shard private to the machine'),
    port: z.number().int().min(0).max(65_535).default(0).describe('TCP port; 0 picks a free one (read it back from .port)'),
    firstId: z.number().int().min(0).max(MAX_GLOBAL_ID).default(0).describe('Global id of the index row 0: this shard holds ids firstId … firstId + size − 1'),
    maxK: z.number().int().min(1).default(10_000).describe('Largest k a Search may ask for (bounds the reply: numQueries × k × 8 bytes)'),
    maxReceiveBytes: z.number().int().min(1024).default(64 * 1024 * 1024).describe('Largest request accepted (query bytes + framing); 64 MiB ≈ 131k queries of dim 128'),
  })
  .readonly();

export type MipsShardServerOptions = z.infer<typeof MipsShardServerOptionsSchema>;
export type MipsShardServerOptionsInput = z.input<typeof MipsShardServerOptionsSchema>;

/** Marks a request whose protobuf bytes could not be decoded (answered with INVALID_ARGUMENT). */
interface Undecodable {
  readonly undecodable: string;
}

export class MipsShardServer {
  private generationCount = 0;
  private closed = false;
  private boundPort = 0;

  private constructor(
    private readonly shardIndex: MipsIndex,
    readonly options: MipsShardServerOptions,
    private readonly server: Grpc.Server,
  ) {}

  /** Binds the server and starts answering; rejects (naming host:port) if the address is taken. */
  static async start(index: MipsIndex, options: MipsShardServerOptionsInput = {}): Promise<MipsShardServer> {
    assertLittleEndian();
    const parsed = MipsShardServerOptionsSchema.parse(options);
    checkIdRange('MipsShardServer', parsed.firstId, index.size);
    const rpc = await loadShardRpc();
    const server = new rpc.grpc.Server({ 'grpc.max_receive_message_length': parsed.maxReceiveBytes });
    const shard = new MipsShardServer(index, parsed, server);
    server.addService(tolerantService(rpc), {
      Info: (call: Grpc.ServerUnaryCall<unknown, InfoReply>, callback: Grpc.sendUnaryData<InfoReply>) => shard.info(callback),
      Search: (call: Grpc.ServerUnaryCall<SearchRequest | Undecodable, SearchReply>, callback: Grpc.sendUnaryData<SearchReply>) =>
        shard.search(rpc, call.request, callback),
    });
    const bindAddress = `${formatHost(parsed.host)}:${parsed.port}`;
    shard.boundPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(bindAddress, rpc.grpc.ServerCredentials.createInsecure(), (error, bound) => {
        if (error !== null) reject(new Error(`MipsShardServer: cannot bind ${bindAddress}: ${error.message}`));
        else resolve(bound);
      });
    });
    return shard;
  }

  /** The bound TCP port (the chosen one when options.port is 0). */
  get port(): number {
    return this.boundPort;
  }

  /** host:port to give RemoteMipsShard.connect. */
  get address(): string {
    return `${formatHost(this.options.host)}:${this.port}`;
  }

  get firstId(): number {
    return this.options.firstId;
  }

  /** Counts add / replaceAll / reset calls made through the server; reported by Info and Search. */
  get generation(): number {
    return this.generationCount;
  }

  /** The served index (mutate it through the server so the generation follows). */
  get index(): MipsIndex {
    return this.shardIndex;
  }

  /** Appends rows to the shard (their global ids continue the range) and bumps the generation. */
  add(vectors: Float32Array): void {
    checkIdRange('MipsShardServer.add', this.firstId, this.shardIndex.size + vectors.length / this.shardIndex.dim);
    this.shardIndex.add(vectors);
    this.generationCount++;
  }

  /**
   * Index refresh for this shard: swaps in the new rows atomically (searches in flight finish on the
   * old ones) and bumps the generation. The range stays at firstId; its length may change.
   */
  replaceAll(matrix: Float32Array): void {
    checkIdRange('MipsShardServer.replaceAll', this.firstId, matrix.length / this.shardIndex.dim);
    this.shardIndex.replaceAll(matrix);
    this.generationCount++;
  }

  reset(): void {
    this.shardIndex.reset();
    this.generationCount++;
  }

  /** Stops accepting calls, lets running ones finish for up to `graceMs`, then cuts the rest. */
  async close(graceMs = 2000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      timer.unref();
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private info(callback: Grpc.sendUnaryData<InfoReply>): void {
    const storage = (this.shardIndex as { options?: { storage?: unknown } }).options?.storage;
    callback(null, {
      dim: this.shardIndex.dim,
      size: this.shardIndex.size,
      first_id: this.firstId,
      generation: this.generationCount,
      storage: typeof storage === 'string' ? storage : '',
      max_k: this.options.maxK,
    });
  }

  private search(rpc: ShardRpc, request: SearchRequest | Undecodable, callback: Grpc.sendUnaryData<SearchReply>): void {
    const problem = 'undecodable' in request ? request.undecodable : this.checkSearchRequest(request);
    if (problem !== null) {
      callback({ code: rpc.grpc.status.INVALID_ARGUMENT, details: problem });
      return;
    }
    const { queries, k } = request as SearchRequest;
    const generation = this.generationCount;
    const size = this.shardIndex.size;
    const firstId = this.firstId;
    // search() takes its snapshot synchronously, so generation/size above describe the rows it scans.
    this.shardIndex.search(float32View(queries), k).then(
      ({ scores, ids }) => {
        const global = new Int32Array(ids.length);
        for (let i = 0; i < ids.length; i++) global[i] = ids[i] < 0 ? -1 : ids[i] + firstId;
        callback(null, { num_queries: queries.length / 4 / this.shardIndex.dim, k, scores: bytesOf(scores), ids: bytesOf(global), generation, size, first_id: firstId });
      },
      (error: unknown) => callback({ code: rpc.grpc.status.INTERNAL, details: `search failed: ${error instanceof Error ? error.message : String(error)}` }),
    );
  }

  /** Null when the request is well formed, else the INVALID_ARGUMENT message. */
  private checkSearchRequest(request: SearchRequest): string | null {
    const dim = this.shardIndex.dim;
    if (request.dim !== dim) return `SearchRequest.dim ${request.dim} does not match this shard's dim ${dim}`;
    if (!Number.isInteger(request.k) || request.k <= 0) return `SearchRequest.k must be a positive integer, got ${request.k}`;
    if (request.k > this.options.maxK) return `SearchRequest.k ${request.k} exceeds this shard's maxK ${this.options.maxK}`;
    const bytes = request.queries.length;
    if (bytes % (4 * dim) !== 0) return `SearchRequest.queries has ${bytes} bytes, which is not a multiple of 4·dim = ${4 * dim} (float32 rows of dim ${dim})`;
    const values = float32View(request.queries);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v - v !== 0) return `SearchRequest.queries row ${Math.floor(i / dim)} component ${i % dim} is ${v} (only finite values are allowed)`;
    }
    return null;
  }
}

/**
 * The service definition with request decoders that never throw: undecodable bytes become a marker
 * the handler answers with INVALID_ARGUMENT (grpc-js would otherwise answer INTERNAL).
 */
function tolerantService(rpc: ShardRpc): Grpc.ServiceDefinition {
  const service: Record<string, Grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(rpc.service)) {
    service[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer): unknown => {
        try {
          return method.requestDeserialize(bytes);
        } catch (error) {
          const undecodable: Undecodable = { undecodable: `${name}Request: cannot decode ${bytes.length} bytes as protobuf (${error instanceof Error ? error.message : String(error)})` };
          return undecodable;
        }
      },
    };
  }
  return service;
}

/** Throws unless ids firstId … firstId + rows − 1 fit in int32. */
function checkIdRange(method: string, firstId: number, rows: number): void {
  if (firstId + rows - 1 > MAX_GLOBAL_ID) {
    throw new Error(`${method}: ids ${firstId} … ${firstId + rows - 1} do not fit in int32 (SearchResult ids)`);
  }
}

/** IPv6 literals need brackets in host:port. */
function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
