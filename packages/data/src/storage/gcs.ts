// The Google Cloud Storage ObjectStore: a thin adapter over @google-cloud/storage. Credentials come
// from the environment as usual (GOOGLE_APPLICATION_CREDENTIALS, metadata server, or
// STORAGE_EMULATOR_HOST for an emulator). The library is loaded only when a gs:// URI is used.
import type { Readable, Writable } from 'node:stream';
import type { ObjectStore } from './object-store.js';

type GcsStorageClient = import('@google-cloud/storage').Storage;

export class GcsObjectStore implements ObjectStore {
  private constructor(private readonly client: GcsStorageClient) {}

  static async create(): Promise<GcsObjectStore> {
    const { Storage } = await import('@google-cloud/storage');
    return new GcsObjectStore(new Storage());
  }

  async get(bucket: string, name: string): Promise<Uint8Array | undefined> {
    const file = this.client.bucket(bucket).file(name);
    const [exists] = await file.exists();
    if (!exists) return undefined;
    const [contents] = await file.download();
    return new Uint8Array(contents);
  }
  createReadStream(bucket: string, name: string): Readable {
    return this.client.bucket(bucket).file(name).createReadStream();
  }
  async put(bucket: string, name: string, bytes: Uint8Array): Promise<void> {
    await this.client.bucket(bucket).file(name).save(Buffer.from(bytes), { resumable: false });
  }
  createWriteStream(bucket: string, name: string): Writable {
    // A resumable upload is finalised only when the stream ends, so a killed writer leaves nothing.
    return this.client.bucket(bucket).file(name).createWriteStream({ resumable: true });
  }
  async listNames(bucket: string, prefix: string): Promise<string[]> {
    const [files] = await this.client.bucket(bucket).getFiles({ prefix });
    return files.map((f) => f.name).sort();
  }
  async exists(bucket: string, name: string): Promise<boolean> {
    const [exists] = await this.client.bucket(bucket).file(name).exists();
    return exists;
  }
  async copy(bucket: string, from: string, to: string): Promise<void> {
    const source = this.client.bucket(bucket).file(from);
    await source.copy(this.client.bucket(bucket).file(to));
  }
  async delete(bucket: string, name: string): Promise<void> {
    await this.client.bucket(bucket).file(name).delete({ ignoreNotFound: true });
  }
}
