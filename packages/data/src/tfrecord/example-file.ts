// Streaming tf.train.Example records out of a TFRecord file: record-file.ts framing + example.ts
// decoding, with decode failures reported at the record's file offset.
// Ports tf.data.TFRecordDataset(...).map(tf.io.parse_single_example) without a feature spec.
import { decodeExample, type TfExample } from './example.js';
import { TfRecordError } from './framing.js';
import { readTfRecordEntries, type TfRecordReadOptions } from './record-file.js';

/** One decoded Example with where its record was found. */
export interface TfExampleEntry {
  example: TfExample;
  /** 0-based record index. */
  index: number;
  /** Byte offset of the record in the (decompressed, for gzip) stream. */
  offset: number;
}

/**
 * Streams the tf.train.Examples of a TFRecord file. A payload that is not a valid Example throws a
 * TfRecordError with check "payload decode", naming the file, record and offset.
 */
export async function* readTfExamples(path: string, options: TfRecordReadOptions = {}): AsyncGenerator<TfExampleEntry> {
  for await (const entry of readTfRecordEntries(path, options)) {
    let example: TfExample;
    try {
      example = decodeExample(entry.payload);
    } catch (error) {
      const position = { source: path, index: entry.index, offset: entry.offset, decompressed: entry.decompressed };
      throw new TfRecordError(position, 'payload decode', (error as Error).message, { cause: error });
    }
    yield { example, index: entry.index, offset: entry.offset };
  }
}
