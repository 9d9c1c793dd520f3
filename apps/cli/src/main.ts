import { Command } from 'commander';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('realm').description('realm-ts: REALM pre-training and ORQA fine-tuning');
  program.command('hello').action(() => console.log('hi'));
  await program.parseAsync(argv, { from: 'user' });
}
