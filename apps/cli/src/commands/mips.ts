import type { Command } from 'commander';

/** Placeholder until the mips subcommands land. */
export function registerMipsCommands(_program: Command): void {}
