import type { Command } from 'commander';

/** Placeholder until the bert subcommands land. */
export function registerBertCommands(_program: Command): void {}
