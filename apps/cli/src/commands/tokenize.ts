import type { Command } from 'commander';

/** Placeholder until the tokenize subcommands land. */
export function registerTokenizeCommand(_program: Command): void {}
