// Local-filesystem Storage: atomic writes by temp file + rename in the same directory, atomic
// directory publication by building in a hidden staging sibling and renaming it into place.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { AtomicWriteStream, Storage } from './storage.js';
import { expandPattern } from './glob.js';

/** Prefix of in-progress files and staging directories; list() and glob() never return them. */
export const TEMP_PREFIX = '.realm-tmp-';

let tempCounter = 0;
function tempSibling(location: string): string {
  tempCounter += 1;
  const unique = `${process.pid}-${Date.now().toString(36)}-${tempCounter}`;
  return join(dirname(location), `${TEMP_PREFIX}${basename(location)}-${unique}`);
}

async function pathExists(location: string): Promise<boolean> {
  try {
    await stat(location);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function notFound(location: string, error: unknown): Error {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Error(`storage: no such file: ${location}`);
  return new Error(`storage: cannot read ${location}: ${(error as Error).message}`);
}

export class LocalStorage implements Storage {
  async read(location: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(location));
    } catch (error) {
      throw notFound(location, error);
    }
  }

  async openRead(location: string): Promise<Readable> {
    // Open eagerly so a missing file fails here with a clear message, not on first read.
    if (!(await pathExists(location))) throw new Error(`storage: no such file: ${location}`);
    return createReadStream(location);
  }

  async write(location: string, bytes: Uint8Array | string): Promise<void> {
    await mkdir(dirname(location), { recursive: true });
    const temp = tempSibling(location);
    try {
      await writeFile(temp, bytes);
      await rename(temp, location);
    } catch (error) {
      await rm(temp, { force: true });
      throw new Error(`storage: cannot write ${location}: ${(error as Error).message}`);
    }
  }

  async openWrite(location: string): Promise<AtomicWriteStream> {
    await mkdir(dirname(location), { recursive: true });
    const temp = tempSibling(location);
    const stream = createWriteStream(temp);
    let settled = false;
    return {
      stream,
      commit: async () => {
        if (settled) throw new Error(`storage: write of ${location} already committed or aborted`);
        settled = true;
        stream.end();
        await finished(stream);
        await rename(temp, location);
      },
      abort: async () => {
        if (settled) return;
        settled = true;
        stream.destroy();
        await rm(temp, { force: true });
      },
    };
  }

  async exists(location: string): Promise<boolean> {
    return pathExists(location);
  }

  async list(directory: string): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(directory);
    } catch (error) {
      throw notFound(directory, error);
    }
    return names.filter((name) => !name.startsWith(TEMP_PREFIX)).sort().map((name) => join(directory, name));
  }

  async glob(pattern: string): Promise<string[]> {
    return expandPattern(pattern, this);
  }

  async remove(location: string): Promise<void> {
    await rm(location, { recursive: true, force: true });
  }

  async publishDirectory(destination: string, build: (staging: string) => Promise<void>): Promise<void> {
    if (await pathExists(destination)) throw new Error(`storage: cannot publish ${destination}: it already exists`);
    await mkdir(dirname(destination), { recursive: true });
    const staging = tempSibling(destination);
    await mkdir(staging, { recursive: true });
    try {
      await build(staging);
      await rename(staging, destination);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
  }

  async isPublished(directory: string): Promise<boolean> {
    // A local directory only ever appears at its final name by rename, so existing means complete.
    return pathExists(directory);
  }
}
