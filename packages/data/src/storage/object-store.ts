// Storage over an object store (GCS). Object uploads are already all-or-nothing, so writes are
// atomic by nature; a directory is published by copying its staged objects into place and writing
// a `_COMMITTED` marker last, which readers check (isPublished) before trusting the directory.
import { PassThrough, Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { COMMIT_MARKER, type AtomicWriteStream, type Storage } from './storage.js';
import { TEMP_PREFIX } from './local.js';
import { expandPattern } from './glob.js';
import { parseGcsUri } from './uri.js';

/** The few object operations Storage needs; implemented by GCS and by an in-memory store for tests. */
export interface ObjectStore {
  get(bucket: string, name: string): Promise<Uint8Array | undefined>;
  createReadStream(bucket: string, name: string): Readable;
  put(bucket: string, name: string, bytes: Uint8Array): Promise<void>;
  /** A stream whose object becomes visible only when the stream finishes without error. */
  createWriteStream(bucket: string, name: string): Writable;
  /** Object names starting with `prefix`, sorted. */
  listNames(bucket: string, prefix: string): Promise<string[]>;
  exists(bucket: string, name: string): Promise<boolean>;
  copy(bucket: string, from: string, to: string): Promise<void>;
  delete(bucket: string, name: string): Promise<void>;
}

/** In-memory ObjectStore with GCS semantics (objects appear whole on finish). For tests and demos. */
export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, Uint8Array>();
  private key(bucket: string, name: string): string {
    return `${bucket}/${name}`;
  }
  async get(bucket: string, name: string): Promise<Uint8Array | undefined> {
    return this.objects.get(this.key(bucket, name));
  }
  createReadStream(bucket: string, name: string): Readable {
    const bytes = this.objects.get(this.key(bucket, name));
    if (!bytes) throw new Error(`storage: no such object: gs://${bucket}/${name}`);
    return Readable.from([Buffer.from(bytes)]);
  }
  async put(bucket: string, name: string, bytes: Uint8Array): Promise<void> {
    this.objects.set(this.key(bucket, name), new Uint8Array(bytes));
  }
  createWriteStream(bucket: string, name: string): Writable {
    const chunks: Buffer[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => this.objects.set(this.key(bucket, name), new Uint8Array(Buffer.concat(chunks))));
    stream.resume();
    return stream;
  }
  async listNames(bucket: string, prefix: string): Promise<string[]> {
    const start = `${bucket}/${prefix}`;
    return [...this.objects.keys()].filter((k) => k.startsWith(start)).map((k) => k.slice(bucket.length + 1)).sort();
  }
  async exists(bucket: string, name: string): Promise<boolean> {
    return this.objects.has(this.key(bucket, name));
  }
  async copy(bucket: string, from: string, to: string): Promise<void> {
    const bytes = this.objects.get(this.key(bucket, from));
    if (!bytes) throw new Error(`storage: no such object: gs://${bucket}/${from}`);
    this.objects.set(this.key(bucket, to), bytes);
  }
  async delete(bucket: string, name: string): Promise<void> {
    this.objects.delete(this.key(bucket, name));
  }
}

let uniqueCounter = 0;

/** Storage for gs://bucket/path URIs over any ObjectStore. */
export class ObjectStoreStorage implements Storage {
  constructor(private readonly store: ObjectStore) {}

  async read(location: string): Promise<Uint8Array> {
    const { bucket, object } = parseGcsUri(location);
    const bytes = await this.store.get(bucket, object);
    if (!bytes) throw new Error(`storage: no such file: ${location}`);
    return bytes;
  }

  async openRead(location: string): Promise<Readable> {
    const { bucket, object } = parseGcsUri(location);
    if (!(await this.store.exists(bucket, object))) throw new Error(`storage: no such file: ${location}`);
    return this.store.createReadStream(bucket, object);
  }

  async write(location: string, bytes: Uint8Array | string): Promise<void> {
    const { bucket, object } = parseGcsUri(location);
    await this.store.put(bucket, object, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes);
  }

  async openWrite(location: string): Promise<AtomicWriteStream> {
    const { bucket, object } = parseGcsUri(location);
    // Buffer locally through a PassThrough; the upload only finalises (becomes visible) on end().
    const upload = this.store.createWriteStream(bucket, object);
    const stream = new PassThrough();
    stream.pipe(upload);
    let settled = false;
    return {
      stream,
      commit: async () => {
        if (settled) throw new Error(`storage: write of ${location} already committed or aborted`);
        settled = true;
        stream.end();
        await finished(upload);
      },
      abort: async () => {
        if (settled) return;
        settled = true;
        stream.unpipe(upload);
        upload.once('error', () => {}); // the abort is deliberate; the upload must not finalise
        upload.destroy(new Error('aborted'));
        stream.destroy();
      },
    };
  }

  async exists(location: string): Promise<boolean> {
    const { bucket, object } = parseGcsUri(location);
    if (await this.store.exists(bucket, object)) return true;
    return (await this.store.listNames(bucket, `${object.replace(/\/$/, '')}/`)).length > 0;
  }

  async list(directory: string): Promise<string[]> {
    const { bucket, object } = parseGcsUri(directory);
    const prefix = object === '' || object.endsWith('/') ? object : `${object}/`;
    const children = new Set<string>();
    for (const name of await this.store.listNames(bucket, prefix)) {
      const child = name.slice(prefix.length).split('/')[0];
      if (child && !child.startsWith(TEMP_PREFIX)) children.add(child);
    }
    return [...children].sort().map((child) => `gs://${bucket}/${prefix}${child}`);
  }

  async glob(pattern: string): Promise<string[]> {
    return expandPattern(pattern, this);
  }

  async remove(location: string): Promise<void> {
    const { bucket, object } = parseGcsUri(location);
    await this.store.delete(bucket, object);
    for (const name of await this.store.listNames(bucket, `${object.replace(/\/$/, '')}/`)) await this.store.delete(bucket, name);
  }

  async publishDirectory(destination: string, build: (staging: string) => Promise<void>): Promise<void> {
    const { bucket, object } = parseGcsUri(destination);
    const target = object.replace(/\/$/, '');
    if ((await this.store.listNames(bucket, `${target}/`)).length > 0) {
      throw new Error(`storage: cannot publish ${destination}: it already exists`);
    }
    uniqueCounter += 1;
    const parent = target.includes('/') ? target.slice(0, target.lastIndexOf('/') + 1) : '';
    const leaf = target.slice(parent.length);
    const staging = `${parent}${TEMP_PREFIX}${leaf}-${process.pid}-${Date.now().toString(36)}-${uniqueCounter}`;
    try {
      await build(`gs://${bucket}/${staging}`);
      const staged = await this.store.listNames(bucket, `${staging}/`);
      for (const name of staged) await this.store.copy(bucket, name, `${target}/${name.slice(staging.length + 1)}`);
      // The marker goes last: until it exists, readers treat the directory as incomplete.
      await this.store.put(bucket, `${target}/${COMMIT_MARKER}`, new Uint8Array(0));
    } finally {
      for (const name of await this.store.listNames(bucket, `${staging}/`)) await this.store.delete(bucket, name);
    }
  }

  async isPublished(directory: string): Promise<boolean> {
    const { bucket, object } = parseGcsUri(directory);
    return this.store.exists(bucket, `${object.replace(/\/$/, '')}/${COMMIT_MARKER}`);
  }
}
