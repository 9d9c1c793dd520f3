import type { Command } from 'commander';

/** Placeholder until the qa subcommands land. */
export function registerQaCommands(_program: Command): void {}
