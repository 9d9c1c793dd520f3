// RemoteMipsShard: the client side of a MipsShardServer. Checks arguments before sending, applies a
// deadline to every call, and names the shard's address in every error so a failed fan-out points
// at the machine to look at.
import type * as Grpc from '@grpc/grpc-js';
import { z } from 'zod';
import { assertLittleEndian, bytesOf, float32View, int32View, loadShardRpc, type InfoReply, type SearchReply, type SearchRequest } from './shard-proto.js';
import type { SearchResult } from './types.js';
import { checkK, checkMatrix } from './validate.js';

export const RemoteMipsShardOptionsSchema = z
  .strictObject({
    deadlineMs: z.number().int().min(1).default(30_000).describe('Deadline of each Info/Search call; a slower or unreachable shard fails the call'),
    maxReceiveBytes: z.number().int().min(1024).default(256 * 1024 * 1024).describe('Largest reply accepted (numQueries × k × 8 bytes + framing)'),
  })
  .readonly();

export type RemoteMipsShardOptions = z.infer<typeof RemoteMipsShardOptionsSchema>;
export type RemoteMipsShardOptionsInput = z.input<typeof RemoteMipsShardOptionsSchema>;

/** What a shard reported in its last Info or Search reply. */
export interface ShardInfo {
  readonly address: string;
  readonly dim: number;
  readonly size: number;
  readonly firstId: number;
  readonly generation: number;
  /** Row storage of the shard's index ('' if the index does not say). */
  readonly storage: string;
  readonly maxK: number;
}

/** A search result from a remote shard: ids are global; generation says which refresh answered. */
export interface RemoteSearchResult extends SearchResult {
  readonly generation: number;
}

type ShardClient = Grpc.Client & {
  Info(request: object, options: Grpc.CallOptions, callback: Grpc.requestCallback<InfoReply>): Grpc.ClientUnaryCall;
  Search(request: SearchRequest, options: Grpc.CallOptions, callback: Grpc.requestCallback<SearchReply>): Grpc.ClientUnaryCall;
};

export class RemoteMipsShard {
  private lastInfo: ShardInfo;

  private constructor(
    readonly address: string,
    readonly options: RemoteMipsShardOptions,
    private readonly client: ShardClient,
    info: ShardInfo,
  ) {
    this.lastInfo = info;
  }

  /** Connects and fetches Info; rejects (naming the address) if the shard does not answer in time. */
  static async connect(address: string, options: RemoteMipsShardOptionsInput = {}): Promise<RemoteMipsShard> {
    assertLittleEndian();
    const parsed = RemoteMipsShardOptionsSchema.parse(options);
    const rpc = await loadShardRpc();
    const client = new rpc.Client(address, rpc.grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': parsed.maxReceiveBytes,
      'grpc.max_send_message_length': -1,
    }) as unknown as ShardClient;
    try {
      const reply = await unary<InfoReply>(address, 'Info', parsed.deadlineMs, (opts, cb) => client.Info({}, opts, cb));
      return new RemoteMipsShard(address, parsed, client, toInfo(address, reply));
    } catch (error) {
      client.close();
      throw error;
    }
  }

  get dim(): number {
    return this.lastInfo.dim;
  }

  /** The shard's state as of its last reply (Info or Search). */
  get info(): ShardInfo {
    return this.lastInfo;
  }

  /** Asks the shard for its current size, range and generation. */
  async refreshInfo(): Promise<ShardInfo> {
    const reply = await unary<InfoReply>(this.address, 'Info', this.options.deadlineMs, (opts, cb) => this.client.Info({}, opts, cb));
    this.lastInfo = toInfo(this.address, reply);
    return this.lastInfo;
  }

  /** Top-k of the shard's rows for each query (row-major numQueries × dim), with global ids. */
  async search(queries: Float32Array, k: number): Promise<RemoteSearchResult> {
    checkK('search', k);
    const numQueries = checkMatrix('search', 'queries', queries, this.dim);
    return this.searchChecked(bytesOf(queries), numQueries, k);
  }

  /** search() for queries already validated and encoded (the sharded fan-out encodes once). */
  async searchChecked(queryBytes: Buffer, numQueries: number, k: number): Promise<RemoteSearchResult> {
    const request: SearchRequest = { queries: queryBytes, dim: this.dim, k };
    const reply = await unary<SearchReply>(this.address, 'Search', this.options.deadlineMs, (opts, cb) => this.client.Search(request, opts, cb));
    const expectedBytes = numQueries * k * 4;
    if (reply.num_queries !== numQueries || reply.k !== k || reply.scores.length !== expectedBytes || reply.ids.length !== expectedBytes) {
      throw new Error(
        `mips shard ${this.address}: Search reply holds ${reply.num_queries} queries × k ${reply.k} (${reply.scores.length} score bytes, ${reply.ids.length} id bytes); ` +
          `expected ${numQueries} × ${k} (${expectedBytes} bytes each)`,
      );
    }
    this.lastInfo = { ...this.lastInfo, size: reply.size, firstId: reply.first_id, generation: reply.generation };
    return { scores: float32View(reply.scores), ids: int32View(reply.ids), generation: reply.generation };
  }

  /** Closes the channel; later calls fail. */
  close(): void {
    this.client.close();
  }
}

function toInfo(address: string, reply: InfoReply): ShardInfo {
  return { address, dim: reply.dim, size: reply.size, firstId: reply.first_id, generation: reply.generation, storage: reply.storage, maxK: reply.max_k };
}

/** One unary call with a deadline; a failure becomes an Error naming the address and method. */
function unary<T>(address: string, method: string, deadlineMs: number, call: (options: Grpc.CallOptions, callback: Grpc.requestCallback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    call({ deadline: Date.now() + deadlineMs }, (error, reply) => {
      if (error !== null || reply === undefined) reject(new Error(`mips shard ${address}: ${method} failed: ${error?.message ?? 'empty reply'}`));
      else resolve(reply);
    });
  });
}
