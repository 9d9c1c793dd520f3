// Locating ../shared/fixtures (real files written by other people's software).
// Tests that need a fixture skip with a clear message when it is absent, except under CI=true,
// where a missing fixture is a failure: CI must never pass by silently skipping real-data tests.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest ancestor of this file that holds nx.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('realm-ts: could not find the repository root (no nx.json above packages/testing)');
    dir = parent;
  }
  return dir;
}

/** Directory holding the shared fixtures: $REALM_FIXTURES, else <repo>/../shared/fixtures. */
export function fixturesDir(): string {
  return process.env.REALM_FIXTURES ?? resolve(repoRoot(), '..', 'shared', 'fixtures');
}

export interface FixtureLookup {
  /** Absolute path of the fixture (whether or not it exists). */
  path: string;
  /** True when the fixture exists; false means the caller should skip. */
  present: boolean;
  /** Message to use as the skip reason. */
  reason: string;
}

/**
 * Looks up a fixture by its path relative to the fixtures directory. Under CI=true a missing
 * fixture throws (so the suite fails); elsewhere it reports absence so the test can skip.
 */
export function fixture(relativePath: string): FixtureLookup {
  const path = join(fixturesDir(), relativePath);
  const present = existsSync(path) && (statSync(path).isFile() || statSync(path).isDirectory());
  const reason = `fixture ${relativePath} not found at ${path} (set REALM_FIXTURES or place ../shared/fixtures beside the repo)`;
  if (!present && process.env.CI === 'true') {
    throw new Error(`CI=true requires the shared fixtures: ${reason}`);
  }
  return { path, present, reason };
}
