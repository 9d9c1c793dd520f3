import { expect, test } from 'vitest';
import { runCli } from './run-cli.js';

test('realm --help lists the subcommands and exits 0', () => {
  const result = runCli(['--help']);
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/Usage: realm/);
});

test('an unknown subcommand fails with a non-zero exit and says so', () => {
  const result = runCli(['no-such-command']);
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(/unknown command/i);
});
