import type { Command } from 'commander';

/** Placeholder until the corpus subcommands land. */
export function registerCorpusCommands(_program: Command): void {}
