// A small pool of scan workers shared by every ExactMipsIndex in the process. Idle workers are
// unref'd so they never keep the process alive; a worker is ref'd only while it has a job.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ScanJob } from './scan-job.js';

interface JobReply {
  readonly jobId: number;
  readonly scores?: Float32Array;
  readonly ids?: Int32Array;
  readonly error?: string;
}

interface Pending {
  readonly owner: PoolWorker;
  resolve(result: { scores: Float32Array; ids: Int32Array }): void;
  reject(error: Error): void;
}

interface PoolWorker {
  readonly worker: Worker;
  busy: number;
}

/**
 * Starts the scan worker. From compiled JS it is scan-worker.js; when running from the TypeScript
 * sources (tests, `npx realm`) the worker first registers tsx's loader so it can import .ts files.
 */
function startWorker(): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './scan-worker.ts' : './scan-worker.js', import.meta.url).href;
  if (!fromSource) return new Worker(new URL(entry));
  const tsxApi = resolveTsxApi();
  const boot = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true });
}

function resolveTsxApi(): string {
  const resolved = createRequire(import.meta.url).resolve('tsx/esm/api');
  // The ESM build registers module hooks for the worker's own ESM loader; the CJS entry does not.
  return pathToFileURL(resolved.replace(/index\.cjs$/, 'index.mjs')).href;
}

export class ScanWorkerPool {
  /** Position i serves job i of every search; a dead worker leaves a hole, refilled on demand. */
  private readonly workers: (PoolWorker | undefined)[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextJobId = 0;

  /**
   * Runs job i on worker i (growing the pool as needed). The fixed assignment matters: job i uses
   * kernel scratch slot i + 1 of the chunk memories, and a worker runs its jobs one at a time, so
   * two concurrent searches never share a slot.
   */
  async run(jobs: readonly ScanJob[]): Promise<{ scores: Float32Array; ids: Int32Array }[]> {
    const assigned = jobs.map((_, i) => (this.workers[i] ??= this.spawn()));
    return Promise.all(jobs.map((job, i) => this.dispatch(assigned[i], job)));
  }

  /** Terminates every worker (searches still running are rejected). */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w?.worker.terminate()));
  }

  private spawn(): PoolWorker {
    const worker = startWorker();
    const entry: PoolWorker = { worker, busy: 0 };
    worker.unref();
    worker.on('message', (reply: JobReply) => {
      const pending = this.pending.get(reply.jobId);
      if (pending === undefined) return;
      this.pending.delete(reply.jobId);
      if (--entry.busy === 0) worker.unref();
      if (reply.error !== undefined || reply.scores === undefined || reply.ids === undefined) {
        pending.reject(new Error(`mips scan worker failed: ${reply.error ?? 'no result'}`));
      } else {
        pending.resolve({ scores: reply.scores, ids: reply.ids });
      }
    });
    worker.on('error', (error) => this.failAll(entry, error));
    worker.on('exit', (code) => this.failAll(entry, new Error(`mips scan worker exited with code ${code}`)));
    return entry;
  }

  private dispatch(entry: PoolWorker, job: ScanJob): Promise<{ scores: Float32Array; ids: Int32Array }> {
    const jobId = this.nextJobId++;
    return new Promise((resolve, reject) => {
      this.pending.set(jobId, { owner: entry, resolve, reject });
      if (entry.busy++ === 0) entry.worker.ref();
      entry.worker.postMessage({ jobId, job });
    });
  }

  private failAll(entry: PoolWorker, error: Error): void {
    // Leave the position empty rather than shifting the others: positions are scratch slots.
    const index = this.workers.indexOf(entry);
    if (index >= 0) this.workers[index] = undefined;
    for (const [jobId, pending] of this.pending) {
      if (pending.owner === entry) {
        this.pending.delete(jobId);
        pending.reject(error);
      }
    }
  }
}

let shared: ScanWorkerPool | undefined;

/** The process-wide pool used by ExactMipsIndex. */
export function sharedScanPool(): ScanWorkerPool {
  shared ??= new ScanWorkerPool();
  return shared;
}

/** Terminates the shared scan workers (tests and CLI call this before exiting). */
export async function shutdownMipsWorkers(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
