#!/usr/bin/env node
// Packed-tarball smoke test: builds a workspace package and its @realm/* dependencies, `npm pack`s
// them, installs the tarballs into a clean project outside the repository (the way a user would get
// them) and runs a smoke script there. Exits non-zero on any failure.
//
//   node tools/pack-smoke/run.mjs [--package @realm/mips] [--script tools/pack-smoke/mips-smoke.mjs]
//     [--extra registry-pkg@version,...] [--keep]
// --extra installs registry packages the smoke script itself needs (e.g. a tfjs backend for
// @realm/model, whose tfjs-core is a peer dependency the application chooses).
//
// The script runs with the temporary project as its working directory, so bare imports resolve
// only to the installed tarballs and their registry dependencies, never to the workspace sources.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const started = Date.now();

function argument(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = process.argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
}

function step(message) {
  console.log(`[pack-smoke +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
}

/** Runs a command, echoing it; output is inherited so CI logs show what failed. */
function run(command, args, cwd) {
  const where = cwd.startsWith(REPO) ? relative(REPO, cwd) || '.' : cwd;
  step(`$ (cd ${where} && ${basename(command)} ${args.join(' ')})`);
  execFileSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, npm_config_update_notifier: 'false' } });
}

/** name → directory of every workspace package (packages/* and apps/*). */
function workspacePackages() {
  const found = new Map();
  for (const group of ['packages', 'apps']) {
    const groupDir = join(REPO, group);
    if (!existsSync(groupDir)) continue;
    for (const entry of readdirSync(groupDir)) {
      const manifest = join(groupDir, entry, 'package.json');
      if (existsSync(manifest)) found.set(JSON.parse(readFileSync(manifest, 'utf8')).name, join(groupDir, entry));
    }
  }
  return found;
}

/** The package and its workspace runtime dependencies, dependencies first (tsc needs their .d.ts). */
function buildOrder(root, packages) {
  const order = [];
  const visiting = new Set();
  const visit = (name, from) => {
    if (order.includes(name)) return;
    const dir = packages.get(name);
    if (dir === undefined) throw new Error(`${name}${from ? ` (a dependency of ${from})` : ''} is not a workspace package`);
    if (visiting.has(name)) throw new Error(`dependency cycle through ${name}`);
    visiting.add(name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(manifest.dependencies ?? {})) if (packages.has(dep)) visit(dep, name);
    order.push(name);
  };
  visit(root);
  return order;
}

const packageName = argument('package', '@realm/mips');
const script = resolve(argument('script', join(REPO, 'tools', 'pack-smoke', `${packageName.replace(/^@realm\//, '')}-smoke.mjs`)));
const keep = process.argv.includes('--keep');
const extra = process.argv.includes('--extra') ? argument('extra', '').split(',').filter(Boolean) : [];
if (!existsSync(script)) throw new Error(`smoke script ${script} not found (give one with --script)`);

const packages = workspacePackages();
const order = buildOrder(packageName, packages);
step(`smoke-testing ${packageName} with ${relative(REPO, script)}; packing ${order.join(', ')}`);

const work = mkdtempSync(join(tmpdir(), 'realm-pack-smoke-'));
let failed = false;
try {
  const tarballs = [];
  for (const name of order) {
    const dir = packages.get(name);
    rmSync(join(dir, 'dist'), { recursive: true, force: true });
    run('npx', ['--no-install', 'tsc', '-p', 'tsconfig.lib.json'], dir);
    // --ignore-scripts: prepack would only run the build just done again.
    const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: dir, encoding: 'utf8' });
    const [{ filename, size, entryCount }] = JSON.parse(packed);
    step(`packed ${name} → ${filename} (${entryCount} files, ${(size / 1024).toFixed(0)} KiB)`);
    tarballs.push(join(work, basename(filename)));
  }

  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'realm-pack-smoke', version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`);
  step(`clean project ${project} (outside the repository, "type": "module")`);
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs, ...extra], project);

  copyFileSync(script, join(project, 'smoke.mjs'));
  run(process.execPath, ['smoke.mjs'], project);
  step(`PASS ${packageName} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
} catch (error) {
  failed = true;
  console.error(`[pack-smoke] FAIL ${packageName}: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  if (keep) step(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
