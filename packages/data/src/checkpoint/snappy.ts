// snappyjs (pure-JS Snappy, a port of Google's C++ compressor) behind a typed local interface:
// the package ships no type declarations, so it is loaded through require.
import { createRequire } from 'node:module';

interface SnappyModule {
  uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  compress(raw: Uint8Array): Uint8Array;
}

export const snappy: SnappyModule = createRequire(import.meta.url)('snappyjs') as SnappyModule;
