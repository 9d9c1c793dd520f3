// Runs one pre-training program in a child process for the fault tests (killed with SIGKILL there):
//   node --import tsx --conditions=@realm/source test/run-program.ts trainer <runDir> <generator>
import { selectBackend } from '@realm/backend';
import { programContext, readPretrainConfig, runLayout, runTrainer } from '../src/index.js';

const [program, dir, generator] = process.argv.slice(2);
if (program !== 'trainer') throw new Error(`run-program: unknown program ${program}`);
await selectBackend({ log: false });
const layout = runLayout(dir);
const config = await readPretrainConfig(layout.config);
await runTrainer(layout, config, { trainGenerators: [generator], evalGenerators: [generator] }, programContext('trainer'));
