import type { Command } from 'commander';

/** Placeholder until the tfrecord subcommands land. */
export function registerTfrecordCommands(_program: Command): void {}
