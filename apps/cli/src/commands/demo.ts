import type { Command } from 'commander';

/** Placeholder until the demo subcommands land. */
export function registerDemoCommand(_program: Command): void {}
