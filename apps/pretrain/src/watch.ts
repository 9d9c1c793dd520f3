// Waiting for another program's output without busy-polling: fs.watch on the directory wakes us
// at once, and a slow poll covers filesystems where watch events are lost (NFS, some containers).
// Replaces refresh_doc_embeds.py's busy loop (realm-spec §1.3, issue #72).
import { watch, type FSWatcher } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { newestTimestamp } from './layout.js';

export interface WaitOptions {
  /** Fallback poll interval; the watch usually fires long before. */
  pollMs?: number;
  signal?: AbortSignal;
}

/** Resolves after `ms` or when `signal` aborts, whichever is first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Resolves with the newest timestamp under `dir` once it is greater than `after` (null: any), or
 * with null if `signal` aborts first. Creates `dir` so that it can be watched before it exists.
 */
export async function waitForNewerTimestamp(dir: string, after: number | null, options: WaitOptions = {}): Promise<number | null> {
  const { pollMs = 5000, signal } = options;
  await mkdir(dir, { recursive: true });
  const isNewer = (ts: number | null): ts is number => ts !== null && (after === null || ts > after);
  let watcher: FSWatcher | undefined;
  let wake: (() => void) | undefined;
  // An event that arrives while a scan is in flight (before `wake` is set) must not be lost, or the
  // wait would last until the next poll: it marks the scan stale and the loop scans again.
  let changedDuringScan = false;
  const onEvent = (): void => {
    changedDuringScan = true;
    wake?.();
  };
  try {
    watcher = watch(dir, onEvent);
    watcher.on('error', onEvent);
  } catch {
    watcher = undefined; // the poll alone still works
  }
  try {
    for (;;) {
      changedDuringScan = false;
      const newest = await newestTimestamp(dir);
      if (isNewer(newest)) return newest;
      if (signal?.aborted) return null;
      if (changedDuringScan) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, pollMs);
        function finish(): void {
          clearTimeout(timer);
          signal?.removeEventListener('abort', finish);
          wake = undefined;
          resolve();
        }
        wake = finish;
        signal?.addEventListener('abort', finish, { once: true });
      });
    }
  } finally {
    watcher?.close();
  }
}

/**
 * Keeps a cheap "is there something newer than what I use?" answer up to date in the background,
 * so a program can check between batches without touching the filesystem each time.
 */
export class NewestTimestampWatcher {
  private newest: number | null = null;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly dir: string) {}

  static async start(dir: string, pollMs = 5000): Promise<NewestTimestampWatcher> {
    await mkdir(dir, { recursive: true });
    const self = new NewestTimestampWatcher(dir);
    await self.rescan();
    try {
      self.watcher = watch(dir, () => void self.rescan());
      self.watcher.on('error', () => undefined);
    } catch {
      self.watcher = undefined;
    }
    self.timer = setInterval(() => void self.rescan(), pollMs);
    self.timer.unref();
    return self;
  }

  private async rescan(): Promise<void> {
    try {
      this.newest = await newestTimestamp(this.dir);
    } catch {
      // A transient listing error: keep the last answer, the next event or poll retries.
    }
  }

  /** The newest timestamp last seen (refreshed by watch events and the poll). */
  get latest(): number | null {
    return this.newest;
  }

  close(): void {
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
  }
}

/** Resolves true once `path` exists (checked every `pollMs`), or false if `signal` aborts first. */
export async function waitForPath(path: string, options: WaitOptions = {}): Promise<boolean> {
  const { pollMs = 1000, signal } = options;
  const { existsSync } = await import('node:fs');
  while (!existsSync(path)) {
    if (signal?.aborted) return false;
    await sleep(pollMs, signal);
  }
  return true;
}
