// Test helper: the files below a directory, for comparing saved checkpoint layouts.
import { readdir } from 'node:fs/promises';
import { relative } from 'node:path';

/** Every regular file below `dir` as a '/'-separated path relative to it, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, `${entry.parentPath}/${entry.name}`).split('\\').join('/'))
    .sort();
}
