// Flag parsers shared by the subcommands: a bad value fails with a message naming the flag.
import { InvalidArgumentError, type Command } from 'commander';

export function integerFlag(flag: string, { min }: { min?: number } = {}): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(value)) throw new InvalidArgumentError(`${flag} must be an integer, got '${raw}'.`);
    if (min !== undefined && value < min) throw new InvalidArgumentError(`${flag} must be at least ${min}, got ${value}.`);
    return value;
  };
}

export function numberFlag(flag: string): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw new InvalidArgumentError(`${flag} must be a number, got '${raw}'.`);
    return value;
  };
}

export function positiveIntegerFlag(flag: string): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(value) || value <= 0) throw new InvalidArgumentError(`${flag} must be a positive integer, got '${raw}'.`);
    return value;
  };
}

export function nonNegativeIntegerFlag(flag: string): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(value) || value < 0) throw new InvalidArgumentError(`${flag} must be a non-negative integer, got '${raw}'.`);
    return value;
  };
}

/**
 * Collects `--a.b=value` config overrides from the arguments commander left unparsed; anything else
 * is an error naming `commandName` and an `example` override.
 */
export function configOverrides(command: Command, commandName: string, example: string): string[] {
  const overrides: string[] = [];
  for (const arg of command.args) {
    if (!/^--[A-Za-z][\w]*(\.[\w]+)+=/.test(arg)) throw new Error(`${commandName}: unexpected argument '${arg}' (config overrides look like ${example})`);
    overrides.push(arg.slice(2));
  }
  return overrides;
}
