// Registers tfjs-core's gradient functions in Node. tfjs-core's CommonJS build (its package "main",
// what Node and tsx load for '@tensorflow/tfjs-core') contains no gradients; only the ESM build's
// register_all_gradients does (@tensorflow/tfjs imports it for you; we depend on tfjs-core alone).
import * as tf from '@tensorflow/tfjs-core';
import { register } from 'node:module';

const GRADIENTS_MODULE = '@tensorflow/tfjs-core/dist/register_all_gradients.js';

/** True when tfjs-core has gradients registered (probed on RealDiv, which every build needs). */
export function gradientsRegistered(): boolean {
  return tf.getGradient('RealDiv') !== undefined;
}

/**
 * A Node resolve hook, registered as a data: URL so it needs no file next to the compiled output:
 * tfjs-core's ESM build imports its own files without extensions ('./gradients/Abs_grad'), and
 * './gradients' names both a file and a directory, which Node's ESM resolver rejects. Inside
 * tfjs-core/dist it tries '<specifier>.js' first.
 */
const RESOLVE_HOOK = `
export async function resolve(specifier, context, nextResolve) {
  const relative = specifier.startsWith('./') || specifier.startsWith('../');
  if (relative && !/\\.[cm]?js$/.test(specifier) && (context.parentURL ?? '').includes('/@tensorflow/tfjs-core/dist/')) {
    try { return await nextResolve(specifier + '.js', context); } catch { /* not a file */ }
  }
  return nextResolve(specifier, context);
}`;

let hookRegistered = false;

/**
 * Makes tf.grad / optimizer.minimize work: if no gradients are registered, loads tfjs-core's ESM
 * register_all_gradients through a resolve hook (RESOLVE_HOOK) that fixes its
 * extensionless imports. The ESM and CommonJS copies of tfjs-core share one engine and one
 * kernel/gradient registry (both keep them on globalThis), so registering from either serves both.
 * Idempotent; takes ~1 s the first time (it loads the ESM build).
 */
export async function ensureGradients(): Promise<void> {
  if (gradientsRegistered()) return;
  if (!hookRegistered) {
    register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`, import.meta.url);
    hookRegistered = true;
  }
  await import(/* @vite-ignore */ GRADIENTS_MODULE);
  if (!gradientsRegistered()) {
    throw new Error(`loaded ${GRADIENTS_MODULE} but tfjs-core still has no gradients: two tfjs-core copies that do not share a registry?`);
  }
}
