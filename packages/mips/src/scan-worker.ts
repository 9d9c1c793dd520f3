// Worker-thread entry point: receives scan jobs whose row data lives in SharedArrayBuffers (so the
// matrix is never copied) and posts back each job's top-k.
import { parentPort } from 'node:worker_threads';
import { runScanJob, type ScanJob } from './scan-job.js';

interface JobMessage {
  readonly jobId: number;
  readonly job: ScanJob;
}

const port = parentPort;
if (port === null) throw new Error('scan-worker must be started as a worker thread');
port.on('message', (message: JobMessage) => {
  try {
    const { scores, ids } = runScanJob(message.job);
    port.postMessage({ jobId: message.jobId, scores, ids }, [scores.buffer as ArrayBuffer, ids.buffer as ArrayBuffer]);
  } catch (error) {
    port.postMessage({ jobId: message.jobId, error: error instanceof Error ? error.message : String(error) });
  }
});
