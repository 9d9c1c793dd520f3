// Streaming save/load of an ExactMipsIndex in the MIPS file format (format.ts), for indexes past
// the 2 GB a single buffer can hold (faiss write_index/read_index on a file): the payload moves
// chunk by chunk with a running CRC-32C, and a save is atomic (temp file, fsync, rename).
import { open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { crc32cUpdate } from '@realm/data/crc32c';
import type { ExactMipsOptionsInput } from './config.js';
import { ExactMipsIndex } from './exact-index.js';
import { MIPS_HEADER_BYTES, decodeHeader, encodeHeader, payloadCrcMismatch, sizeMismatch } from './format.js';
import { valueBytes, valuesView } from './storage.js';

/** I/O sizes of saveIndex / loadIndex (tests shrink them to exercise the piecewise paths). */
export interface IndexFileIo {
  /** Largest single read or write, in bytes (default 64 MiB; always < 2 GiB). */
  readonly ioBytes?: number;
}

const DEFAULT_IO_BYTES = 64 * 1024 * 1024;
let tempCounter = 0;

/**
 * Writes `index` to `path` atomically: the file appears complete or not at all (an existing file
 * is replaced only after the new one is fully written and synced). Rows added while the save runs
 * are not included; the file holds the rows present when it started.
 */
export async function saveIndex(path: string, index: ExactMipsIndex, io: IndexFileIo = {}): Promise<void> {
  const ioBytes = checkIoBytes(io);
  // Taken synchronously together: the pieces are views of the rows present right now.
  const pieces = index.storedPieces();
  const count = index.size;
  const temp = `${path}.tmp-${process.pid}-${tempCounter++}`;
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx');
    let position = MIPS_HEADER_BYTES;
    let crc = 0;
    for (const piece of pieces) {
      for (let offset = 0; offset < piece.length; offset += ioBytes) {
        const slice = piece.subarray(offset, Math.min(piece.length, offset + ioBytes));
        crc = crc32cUpdate(crc, slice);
        await writeFully(handle, slice, position);
        position += slice.length;
      }
    }
    // The header goes last, so an interrupted write never leaves a file whose header looks valid.
    await writeFully(handle, encodeHeader(index.dim, count, index.options.storage, crc), 0);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw new Error(`saveIndex ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Reads an index written by saveIndex (or serialize()) piece by piece, verifying the header, the
 * file size and the payload CRC-32C; errors name the file. The storage dtype is the file's.
 */
export async function loadIndex(path: string, options: ExactMipsOptionsInput = {}, io: IndexFileIo = {}): Promise<ExactMipsIndex> {
  const ioBytes = checkIoBytes(io);
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`loadIndex ${path}: cannot open (${error.code ?? error.message})`);
  });
  try {
    const { size: fileBytes } = await handle.stat();
    const headerBytes = new Uint8Array(Math.min(MIPS_HEADER_BYTES, fileBytes));
    await readFully(handle, headerBytes, 0, path);
    const header = decodeHeader(headerBytes, path);
    if (fileBytes !== header.fileBytes) throw sizeMismatch(path, fileBytes, header);
    const { dim, count, dtype } = header;
    const index = new ExactMipsIndex(dim, { ...options, storage: dtype });
    let position = MIPS_HEADER_BYTES;
    let crc = 0;
    let scales: Float32Array | undefined;
    if (dtype === 'int8') {
      // Row scales come first: 4 bytes per row (53 MB for 13.3M rows), read in pieces.
      scales = new Float32Array(count);
      const scaleBytes = new Uint8Array(scales.buffer);
      for (let offset = 0; offset < scaleBytes.length; offset += ioBytes) {
        const slice = scaleBytes.subarray(offset, Math.min(scaleBytes.length, offset + ioBytes));
        await readFully(handle, slice, position, path);
        crc = crc32cUpdate(crc, slice);
        position += slice.length;
      }
    }
    const rowBytes = dim * valueBytes(dtype);
    const rowsPerRead = Math.max(1, Math.floor(ioBytes / rowBytes));
    for (let row = 0; row < count; row += rowsPerRead) {
      const rows = Math.min(rowsPerRead, count - row);
      const buffer = new ArrayBuffer(rows * rowBytes);
      const bytes = new Uint8Array(buffer);
      await readFully(handle, bytes, position, path);
      crc = crc32cUpdate(crc, bytes);
      position += bytes.length;
      index.appendStored(valuesView(dtype, buffer, 0, rows * dim), scales?.subarray(row, row + rows));
    }
    if (crc !== header.payloadCrc) throw payloadCrcMismatch(path, header.payloadCrc, crc);
    return index;
  } finally {
    await handle.close();
  }
}

function checkIoBytes(io: IndexFileIo): number {
  const ioBytes = io.ioBytes ?? DEFAULT_IO_BYTES;
  if (!Number.isInteger(ioBytes) || ioBytes <= 0 || ioBytes >= 2 ** 31) throw new Error(`ioBytes must be an integer in 1 … 2^31 − 1, got ${ioBytes}`);
  return ioBytes;
}

async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

async function readFully(handle: FileHandle, bytes: Uint8Array, position: number, path: string): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesRead } = await handle.read(bytes, done, bytes.length - done, position + done);
    if (bytesRead === 0) throw new Error(`${path}: file ended at byte ${position + done} while reading (it changed during the load?)`);
    done += bytesRead;
  }
}
