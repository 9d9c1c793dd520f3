import type { Command } from 'commander';

/** Placeholder until the world subcommands land. */
export function registerWorldCommands(_program: Command): void {}
