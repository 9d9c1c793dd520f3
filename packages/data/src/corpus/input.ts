// Reading raw documents for `corpus build`: JSONL ({title, text|body|...} per line) or plain text
// (one document per file, titled by the file name). Streamed line by line; a malformed line is an
// error naming the file and line number.
import { basename, extname } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { storageFor } from '../storage/index.js';

export interface InputDocument {
  title: string;
  text: string;
  /** Where it came from, for error messages: "file:line". */
  source: string;
}

export const InputFormatSchema = z.enum(['jsonl', 'text']).describe('jsonl: one {"title", text} object per line; text: one document per file.');
export type InputFormat = z.infer<typeof InputFormatSchema>;

/** Picks the format from the extension: .jsonl/.json → jsonl, anything else → text. */
export function inferInputFormat(location: string): InputFormat {
  return /\.jsonl?$/i.test(location) ? 'jsonl' : 'text';
}

/**
 * Streams the documents of one input file. For JSONL, `textField` names the body field (default:
 * the first present of text, body, abstract).
 */
export async function* readInputDocuments(
  location: string,
  format: InputFormat = inferInputFormat(location),
  textField?: string,
): AsyncGenerator<InputDocument> {
  const storage = await storageFor(location);
  if (format === 'text') {
    const text = new TextDecoder().decode(await storage.read(location)).replace(/\r\n?/g, '\n');
    yield { title: basename(location, extname(location)), text, source: location };
    return;
  }
  const lines = createInterface({ input: await storage.openRead(location), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const where = `${location}:${lineNumber}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new Error(`${where}: not valid JSON (${(error as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${where}: expected a JSON object`);
    const record = parsed as Record<string, unknown>;
    const field = textField ?? ['text', 'body', 'abstract'].find((name) => typeof record[name] === 'string');
    if (field === undefined || typeof record[field] !== 'string') {
      throw new Error(`${where}: missing string field "${textField ?? 'text|body|abstract'}"`);
    }
    if (typeof record.title !== 'string') throw new Error(`${where}: missing string field "title"`);
    yield { title: record.title, text: record[field] as string, source: where };
  }
}
