// ShardedMipsIndex: faiss IndexShards over local indexes and remote MipsShardServers. Every search
// fans out to all shards in parallel and merges their top-k with the same heap as the workers, so
// the result (ties included: equal scores → lower global id) equals one index holding every row.
// A failing shard fails the search; partial results are never returned.
import { RemoteMipsShard, type ShardInfo } from './remote-shard.js';
import { bytesOf } from './shard-proto.js';
import { TopK } from './topk.js';
import type { MipsIndex, SearchResult } from './types.js';
import { checkK, checkMatrix } from './validate.js';

/** An in-process index holding global ids firstId … firstId + index.size − 1. */
export interface LocalMipsShard {
  readonly index: MipsIndex;
  readonly firstId: number;
}

export type MipsShard = LocalMipsShard | RemoteMipsShard;

export class ShardedMipsIndex implements MipsIndex {
  readonly dim: number;
  private readonly shardList: readonly MipsShard[];

  /** Shards in any order; their id ranges must not overlap (gaps are allowed). */
  constructor(shards: readonly MipsShard[]) {
    if (shards.length === 0) throw new Error('ShardedMipsIndex: needs at least one shard');
    this.shardList = [...shards];
    this.dim = dimOf(shards[0]);
    for (const shard of shards) {
      if (dimOf(shard) !== this.dim) throw new Error(`ShardedMipsIndex: ${describeShard(shard)} has dim ${dimOf(shard)}, but ${describeShard(shards[0])} has dim ${this.dim}`);
      if (!(shard instanceof RemoteMipsShard) && (!Number.isInteger(shard.firstId) || shard.firstId < 0)) {
        throw new Error(`ShardedMipsIndex: firstId must be a non-negative integer, got ${shard.firstId}`);
      }
    }
    this.checkRanges();
  }

  get shards(): readonly MipsShard[] {
    return this.shardList;
  }

  /** Total rows (remote sizes as of their last reply; refreshInfo() asks again). */
  get size(): number {
    return this.shardList.reduce((sum, shard) => sum + rangeOf(shard).size, 0);
  }

  /** Re-reads every remote shard's Info (size, range, generation) and re-checks the ranges. */
  async refreshInfo(): Promise<ShardInfo[]> {
    const remotes = this.shardList.filter((s): s is RemoteMipsShard => s instanceof RemoteMipsShard);
    const infos = await Promise.all(remotes.map((remote) => remote.refreshInfo()));
    this.checkRanges();
    return infos;
  }

  async search(queries: Float32Array, k: number): Promise<SearchResult> {
    checkK('search', k);
    const numQueries = checkMatrix('search', 'queries', queries, this.dim);
    const queryBytes = bytesOf(queries);
    const partials = await Promise.all(
      this.shardList.map(async (shard): Promise<SearchResult> => {
        try {
          if (shard instanceof RemoteMipsShard) return await shard.searchChecked(queryBytes, numQueries, k);
          const local = await shard.index.search(queries, k);
          const ids = new Int32Array(local.ids.length);
          for (let i = 0; i < ids.length; i++) ids[i] = local.ids[i] < 0 ? -1 : local.ids[i] + shard.firstId;
          return { scores: local.scores, ids };
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          // Remote errors already start with "mips shard <address>".
          throw new Error(shard instanceof RemoteMipsShard ? `ShardedMipsIndex.search: ${message}` : `ShardedMipsIndex.search: ${describeShard(shard)}: ${message}`);
        }
      }),
    );
    // Remote replies may report a new size after a refresh: ranges must still be disjoint.
    this.checkRanges();
    const merged = new TopK(numQueries, k);
    for (const partial of partials) merged.mergeResult(partial.scores, partial.ids, k);
    return merged.finish();
  }

  /** Appends to the shard holding the highest ids, which must be local (remote: use its server's add). */
  add(vectors: Float32Array): void {
    const last = [...this.shardList].sort((a, b) => rangeOf(b).firstId - rangeOf(a).firstId)[0];
    if (last instanceof RemoteMipsShard) {
      throw new Error(`ShardedMipsIndex.add: the shard holding the highest ids is ${describeShard(last)}; add rows through its MipsShardServer`);
    }
    last.index.add(vectors);
    this.checkRanges();
  }

  /** Not supported: see replaceAll. */
  reset(): void {
    throw new Error('ShardedMipsIndex.reset: a sharded index is changed shard by shard: reset each local index / MipsShardServer');
  }

  /**
   * Not supported: a sharded index is refreshed shard by shard — replaceAll on each local index and
   * on each MipsShardServer (which bumps its generation), then refreshInfo(). Searches during the
   * refresh may combine shards of different generations; compare the generations in refreshInfo().
   */
  replaceAll(): void {
    throw new Error('ShardedMipsIndex.replaceAll: a sharded index is refreshed shard by shard: call replaceAll on each local index and MipsShardServer, then refreshInfo()');
  }

  /** The stored vector with this global id (local shards only: rows are not served over gRPC). */
  reconstruct(id: number): Float32Array {
    const shard = this.shardList.find((s) => id >= rangeOf(s).firstId && id < rangeOf(s).firstId + rangeOf(s).size);
    if (shard === undefined) throw new Error(`reconstruct: id ${id} is in no shard's range`);
    if (shard instanceof RemoteMipsShard) throw new Error(`reconstruct: id ${id} lives on ${describeShard(shard)}; rows are not served over gRPC`);
    return shard.index.reconstruct(id - shard.firstId);
  }

  /** Not supported: serialize each shard's index (saveIndex) instead. */
  serialize(): Uint8Array {
    throw new Error('ShardedMipsIndex.serialize: serialize each shard (saveIndex on the shard indexes) instead');
  }

  /** Closes the remote shards' channels (local indexes are left alone). */
  close(): void {
    for (const shard of this.shardList) if (shard instanceof RemoteMipsShard) shard.close();
  }

  private checkRanges(): void {
    const sorted = [...this.shardList].filter((s) => rangeOf(s).size > 0).sort((a, b) => rangeOf(a).firstId - rangeOf(b).firstId);
    for (let i = 1; i < sorted.length; i++) {
      const prev = rangeOf(sorted[i - 1]);
      const cur = rangeOf(sorted[i]);
      if (prev.firstId + prev.size > cur.firstId) {
        throw new Error(`ShardedMipsIndex: ${describeShard(sorted[i - 1])} overlaps ${describeShard(sorted[i])}`);
      }
    }
  }
}

function dimOf(shard: MipsShard): number {
  return shard instanceof RemoteMipsShard ? shard.dim : shard.index.dim;
}

function rangeOf(shard: MipsShard): { firstId: number; size: number } {
  return shard instanceof RemoteMipsShard ? { firstId: shard.info.firstId, size: shard.info.size } : { firstId: shard.firstId, size: shard.index.size };
}

/** "remote shard 127.0.0.1:5000 (ids 0 … 99)" / "local shard (ids 100 … 149)". */
function describeShard(shard: MipsShard): string {
  const { firstId, size } = rangeOf(shard);
  const ids = size === 0 ? 'empty, first id ' + firstId : `ids ${firstId} … ${firstId + size - 1}`;
  return shard instanceof RemoteMipsShard ? `remote shard ${shard.address} (${ids})` : `local shard (${ids})`;
}
