// Atomic replacement of a local directory: build the new contents in a hidden temp sibling, then
// swap it in by rename, so a reader (or a crash) sees the old directory or the new one, never a mix.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/**
 * Runs `write` on a fresh temp sibling of `dir`, then renames it to `dir`, replacing an existing
 * directory (moved aside first, removed after the swap). On failure the temp is removed and `dir`
 * is untouched.
 */
export async function writeDirectoryAtomically(dir: string, write: (temp: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const temp = join(dirname(dir), `.${basename(dir)}.tmp-${randomUUID()}`);
  try {
    await mkdir(temp);
    await write(temp);
    if (existsSync(dir)) {
      const old = join(dirname(dir), `.${basename(dir)}.old-${randomUUID()}`);
      await rename(dir, old);
      await rename(temp, dir);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temp, dir);
    }
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
