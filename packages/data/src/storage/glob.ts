// Pattern expansion shared by every Storage: TF shard specs (`name@N`), globs in the last path
// component, or a plain path. Backends supply only existence checks and directory listing.
import { expandShardSpec, globToRegExp, hasGlob } from './uri.js';

export interface GlobBackend {
  exists(location: string): Promise<boolean>;
  /** Full locations of the entries directly under `directory`, sorted. */
  list(directory: string): Promise<string[]>;
}

/** Sorted matches of `pattern`; a shard spec with a missing shard is an error naming it. */
export async function expandPattern(pattern: string, backend: GlobBackend): Promise<string[]> {
  const candidates = expandShardSpec(pattern);
  if (candidates.length > 1 || candidates[0] !== pattern) {
    const missing: string[] = [];
    for (const candidate of candidates) if (!(await backend.exists(candidate))) missing.push(candidate);
    if (missing.length > 0) throw new Error(`storage: shard spec ${pattern} is missing ${missing.length} shard(s), e.g. ${missing[0]}`);
    return candidates;
  }
  if (!hasGlob(pattern)) return (await backend.exists(pattern)) ? [pattern] : [];
  const slash = pattern.lastIndexOf('/');
  const directory = slash < 0 ? '.' : pattern.slice(0, slash);
  if (hasGlob(directory)) throw new Error(`storage: glob ${pattern}: wildcards are supported in the last path component only`);
  const matcher = globToRegExp(pattern.slice(slash + 1));
  if (!(await backend.exists(directory))) return [];
  return (await backend.list(directory)).filter((location) => matcher.test(location.slice(location.lastIndexOf('/') + 1)));
}
