import { GcsObjectStore } from './gcs.js';
import { LocalStorage } from './local.js';
import { ObjectStoreStorage } from './object-store.js';
import type { Storage } from './storage.js';
import { isGcsUri } from './uri.js';

export type { Storage, AtomicWriteStream } from './storage.js';
export { COMMIT_MARKER } from './storage.js';
export { LocalStorage, TEMP_PREFIX } from './local.js';
export { MemoryObjectStore, ObjectStoreStorage, type ObjectStore } from './object-store.js';
export { GcsObjectStore } from './gcs.js';
export { expandShardSpec, globToRegExp, hasGlob, isGcsUri, parseGcsUri, shardName, type GcsLocation } from './uri.js';

const local = new LocalStorage();
let gcs: Promise<Storage> | undefined;

/** The Storage for a location: GCS for gs:// URIs (client created on first use), local otherwise. */
export async function storageFor(location: string): Promise<Storage> {
  if (!isGcsUri(location)) return local;
  gcs ??= GcsObjectStore.create().then((store) => new ObjectStoreStorage(store));
  return gcs;
}
export { writeDirectoryAtomically } from './replace-directory.js';
