#!/usr/bin/env node
// Install-time build of @realm/backend's native GEMM (native/build/Release/realm_backend_gemm.node),
// which the wasm BatchMatMul kernel uses when it loads. Never fails the install: on any problem it
// prints one warning line, writes the details to native/build/build.log and exits 0, and the
// kernel keeps using XNNPACK inside tfjs-backend-wasm.
//
// Order: node-gyp (npm's own copy, or $npm_config_node_gyp during `npm install`) against the
// headers shipped with this Node (<prefix>/include/node, so no download is needed), then — if
// node-gyp is missing or fails — one direct compiler call (c++/g++/clang++) with the same flags.
// REALM_BACKEND_SKIP_NATIVE=1 skips the build. (Same procedure as @realm/mips's native/build.mjs;
// packages do not share build code, so only the settings below differ.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ADDON = {
  packageName: '@realm/backend',
  what: 'native GEMM',
  fallback: 'XNNPACK (tfjs-backend-wasm) will be used for BatchMatMul',
  target: 'realm_backend_gemm',
  sources: ['gemm.cc', 'sgemm.cc'],
  skipEnvVar: 'REALM_BACKEND_SKIP_NATIVE',
  flags: ['-O3', '-std=gnu++17'],
  /** Expression (of the loaded addon `m`) printed by the verification probe. */
  probe: "m.simdLevels().join(', ')",
};

const NATIVE_DIR = dirname(fileURLToPath(import.meta.url));
const BUILD_DIR = join(NATIVE_DIR, 'build');
const OUTPUT = join(BUILD_DIR, 'Release', `${ADDON.target}.node`);
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
  const candidates = [process.env.npm_config_node_gyp, join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed as a package: the other candidates remain
  }
  return candidates.find((path) => path !== undefined && path.endsWith('.js') && existsSync(path));
}

/** Loads the built addon in a fresh process so a broken binary is caught here, not at first use. */
function verify() {
  const probe = spawnSync(process.execPath, ['-e', `const m = require(${JSON.stringify(OUTPUT)}); console.log(${ADDON.probe})`], { encoding: 'utf8' });
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
  const flags = [...ADDON.flags, '-shared', '-fPIC', `-DNODE_GYP_MODULE_NAME=${ADDON.target}`, `-I${headers.include}`];
  if (process.platform === 'darwin') flags.push('-undefined', 'dynamic_lookup');
  const sources = ADDON.sources.map((file) => join(NATIVE_DIR, 'src', file));
  for (const compiler of [process.env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean)) {
    if (attempt(compiler, compiler, [...flags, ...sources, '-o', OUTPUT])) return compiler;
  }
  return null;
}

function main() {
  if (process.env[ADDON.skipEnvVar] === '1') {
    console.warn(`${ADDON.packageName}: ${ADDON.skipEnvVar}=1, ${ADDON.what} not built (${ADDON.fallback})`);
    return;
  }
  const started = Date.now();
  const how = build();
  const levels = how === null ? null : verify();
  mkdirSync(BUILD_DIR, { recursive: true });
  writeFileSync(join(BUILD_DIR, 'build.log'), `${log.join('\n')}\n`);
  if (levels === null) {
    console.warn(`${ADDON.packageName}: ${ADDON.what} not built (see ${join(BUILD_DIR, 'build.log')}); ${ADDON.fallback}`);
    return;
  }
  console.log(`${ADDON.packageName}: ${ADDON.what} built with ${how} in ${((Date.now() - started) / 1000).toFixed(1)}s (SIMD: ${levels})`);
}

try {
  main();
} catch (error) {
  console.warn(`${ADDON.packageName}: ${ADDON.what} not built (${error instanceof Error ? error.message : String(error)}); ${ADDON.fallback}`);
}
process.exitCode = 0;
