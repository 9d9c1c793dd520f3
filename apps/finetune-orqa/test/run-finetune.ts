// Runs `finetune-orqa train` in a child process for the crash test (killed with SIGKILL there), each
// step slowed down so that the kill lands mid-run:
//   node --import tsx --conditions=@realm/source test/run-finetune.ts <out> <dataDir> <stepDelayMs> <override>...
import { programContext } from '@realm/pretrain';
import { runFinetune } from '../src/train.js';

const [out, data, delay, ...overrides] = process.argv.slice(2);
const pause = new Int32Array(new SharedArrayBuffer(4));
await runFinetune({ init: 'none', data, out, overrides }, programContext('finetune-child', { log: () => {} }), {
  onStep: () => {
    Atomics.wait(pause, 0, 0, Number(delay));
  },
});
