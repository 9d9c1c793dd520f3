// Storage locations: local paths and gs://bucket/object URIs, shard-spec expansion and globbing.

export interface GcsLocation {
  bucket: string;
  /** Object name (no leading slash); '' for the bucket root. */
  object: string;
}

/** True for a gs://bucket/... URI. */
export function isGcsUri(location: string): boolean {
  return location.startsWith('gs://');
}

/** Splits gs://bucket/path into bucket and object name; throws on a malformed URI. */
export function parseGcsUri(uri: string): GcsLocation {
  const match = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!match) throw new Error(`storage: malformed GCS URI "${uri}" (expected gs://bucket/path)`);
  return { bucket: match[1], object: match[2] ?? '' };
}

/**
 * Expands TensorFlow's sharded-file spec `name@N.ext` into its N file names
 * `name-00000-of-0000N.ext` (five digits, as TF's sharded writers name them). Other names pass through.
 */
export function expandShardSpec(spec: string): string[] {
  const match = /^(.*)@(\d+)(\.[^/@]*)?$/.exec(spec);
  if (!match) return [spec];
  const [, stem, countText, extension = ''] = match;
  const count = Number(countText);
  if (count <= 0 || count > 1_000_000) throw new Error(`storage: shard count in "${spec}" must be in 1..1000000`);
  const width = Math.max(5, countText.length);
  const pad = (n: number) => String(n).padStart(width, '0');
  return Array.from({ length: count }, (_, i) => `${stem}-${pad(i)}-of-${pad(count)}${extension}`);
}

/** Names the n-th of `count` shards of `prefix` the way REALM's corpus builders do: prefix-00003-of-00050. */
export function shardName(prefix: string, index: number, count: number): string {
  const width = Math.max(5, String(count).length);
  return `${prefix}-${String(index).padStart(width, '0')}-of-${String(count).padStart(width, '0')}`;
}

/** True when the string contains glob metacharacters (*, ?, [). */
export function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/**
 * Converts a glob over one path component (no '/') to a RegExp: `*` any run, `?` one char,
 * `[...]` a class (`[!...]` negated). Everything else is literal.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, close);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      source += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else source += ch.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
