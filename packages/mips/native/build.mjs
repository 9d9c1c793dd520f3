#!/usr/bin/env node
// Install-time build of @realm/mips's native exact-search kernel (native/build/Release/realm_mips.node).
// Never fails the install: on any problem it prints one warning line, writes the details to
// native/build/build.log and exits 0, and the package keeps using its WebAssembly kernels.
//
// Order: node-gyp (npm's own copy, or $npm_config_node_gyp during `npm install`) against the
// headers shipped with this Node (<prefix>/include/node, so no download is needed), then — if
// node-gyp is missing or fails — one direct compiler call (c++/g++/clang++) with the same flags.
// REALM_MIPS_SKIP_NATIVE=1 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NATIVE_DIR = dirname(fileURLToPath(import.meta.url));
const BUILD_DIR = join(NATIVE_DIR, 'build');
const OUTPUT = join(BUILD_DIR, 'Release', 'realm_mips.node');
const SOURCES = ['addon.cc', 'kernel_scalar.cc', 'kernel_avx2.cc', 'kernel_avx512.cc'].map((file) => join(NATIVE_DIR, 'src', file));
const log = [];

function attempt(label, command, args) {
  const run = spawnSync(command, args, { cwd: NATIVE_DIR, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  log.push(`$ ${label}: ${command} ${args.join(' ')}`, run.stdout ?? '', run.stderr ?? '', run.error ? String(run.error) : `exit ${run.status}`);
  return run.status === 0 && existsSync(OUTPUT);
}

/** Directory holding node_api.h for this Node: the install prefix's include/node (official builds and distro packages). */
function nodeHeaders() {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? { prefix, include: join(prefix, 'include', 'node') } : null;
}

function nodeGypScript() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed as a package: the other candidates remain
  }
  return candidates.find((path) => path !== undefined && path.endsWith('.js') && existsSync(path));
}

/** Loads the built addon in a fresh process so a broken binary is caught here, not at first search. */
function verify() {
  const probe = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(OUTPUT)}).simdLevels().join(', '))`], { encoding: 'utf8' });
  log.push('$ verify', probe.stdout ?? '', probe.stderr ?? '');
  return probe.status === 0 ? probe.stdout.trim() : null;
}

function build() {
  // A stale binary must not pass for a successful build.
  rmSync(OUTPUT, { force: true });
  const headers = nodeHeaders();
  const gyp = nodeGypScript();
  if (gyp !== undefined) {
    const args = [gyp, 'rebuild', '--release', '--loglevel=warn', ...(headers ? [`--nodedir=${headers.prefix}`] : [])];
    if (attempt('node-gyp', process.execPath, args)) return 'node-gyp';
  } else {
    log.push('node-gyp not found');
  }
  if (headers === null) return null;
  mkdirSync(dirname(OUTPUT), { recursive: true });
  const flags = ['-O3', '-ffp-contract=off', '-std=gnu++17', '-shared', '-fPIC', '-pthread', '-DNODE_GYP_MODULE_NAME=realm_mips', `-I${headers.include}`];
  if (process.platform === 'darwin') flags.push('-undefined', 'dynamic_lookup');
  for (const compiler of [process.env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean)) {
    if (attempt(compiler, compiler, [...flags, ...SOURCES, '-o', OUTPUT])) return compiler;
  }
  return null;
}

function main() {
  if (process.env.REALM_MIPS_SKIP_NATIVE === '1') {
    console.warn('@realm/mips: REALM_MIPS_SKIP_NATIVE=1, native kernel not built (WebAssembly kernels will be used)');
    return;
  }
  const started = Date.now();
  const how = build();
  const levels = how === null ? null : verify();
  mkdirSync(BUILD_DIR, { recursive: true });
  writeFileSync(join(BUILD_DIR, 'build.log'), `${log.join('\n')}\n`);
  if (levels === null) {
    console.warn(`@realm/mips: native kernel not built (see ${join(BUILD_DIR, 'build.log')}); the WebAssembly kernels will be used`);
    return;
  }
  console.log(`@realm/mips: native kernel built with ${how} in ${((Date.now() - started) / 1000).toFixed(1)}s (SIMD: ${levels})`);
}

try {
  main();
} catch (error) {
  console.warn(`@realm/mips: native kernel not built (${error instanceof Error ? error.message : String(error)}); the WebAssembly kernels will be used`);
}
process.exitCode = 0;
