import type { Command } from 'commander';

/** Placeholder until the checkpoint subcommands land. */
export function registerCheckpointCommands(_program: Command): void {}
