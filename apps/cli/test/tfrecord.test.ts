import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { fixture } from '@realm/testing';
import { buildExample, encodeExample, encodeTfRecords } from '@realm/data';
import { runCli } from './run-cli.js';

const nextPage = fixture('tfrecord/tfx_tfjs_next_page/data.tfrecord.gz');
const scratch = mkdtempSync(join(tmpdir(), 'realm-cli-tfrecord-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('realm tfrecord cat', () => {
  test.skipIf(!nextPage.present)('--json prints record 0 and 1 of the tfjs next-page fixture exactly', () => {
    const result = runCli(['tfrecord', 'cat', nextPage.path, '--json', '--limit', '2']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      '{"cur_page":{"bytes":["page2"]},"label":{"bytes":["page3"]},"session_index":{"int64":[1]}}\n' +
        '{"cur_page":{"bytes":["page4"]},"label":{"bytes":["page2"]},"session_index":{"int64":[1]}}\n',
    );
  });

  test.skipIf(!nextPage.present)('without --limit prints all 100 records; text mode is one line per record', () => {
    const result = runCli(['tfrecord', 'cat', nextPage.path]);
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(100);
    expect(lines[0]).toBe('cur_page=bytes["page2"] label=bytes["page3"] session_index=int64[1]');
  });

  test('non-UTF-8 bytes, unsafe int64 and non-finite floats use their JSON markers; floats print exactly', () => {
    const path = join(scratch, 'markers.tfrecord');
    const example = buildExample(
      { raw: 'bytes', big: 'int64', x: 'float' },
      { raw: [Uint8Array.of(0xff, 0x00), 'ok'], big: [2n ** 62n, -3], x: [NaN, -Infinity, 0.1] },
    );
    writeFileSync(path, encodeTfRecords([encodeExample(example)]));
    const result = runCli(['tfrecord', 'cat', '--json', path]);
    expect(result.stdout).toBe(
      '{"big":{"int64":["4611686018427387904",-3]},"raw":{"bytes":[{"base64":"/wA="},"ok"]},"x":{"float":["NaN","-Infinity",0.10000000149011612]}}\n',
    );
  });

  test('a corrupt file prints an error naming the file and offset, after the good records, and exits 1', () => {
    const good = encodeExample(buildExample({ n: 'int64' }, { n: 1 }));
    const bytes = encodeTfRecords([good, good, good]);
    const second = 12 + good.length + 4;
    bytes[second + 12 + 3] ^= 0x10; // a payload byte of record 1
    const path = join(scratch, 'corrupt.tfrecord');
    writeFileSync(path, bytes);
    const result = runCli(['tfrecord', 'cat', '--json', path]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('{"n":{"int64":[1]}}\n');
    expect(result.stderr).toMatch(new RegExp(`^realm: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: record 1 at byte offset ${second}: payload CRC mismatch: `));
  });

  test.skipIf(!nextPage.present)('a truncated gzip file names the decompressed offset', () => {
    const path = join(scratch, 'cut.gz');
    writeFileSync(path, readFileSync(nextPage.path).subarray(0, 600));
    const result = runCli(['tfrecord', 'cat', path]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^realm: .*cut\.gz: record \d+ at decompressed byte offset \d+ \(gzip file: the offset is in the gunzipped stream\): /);
  });

  test('bad arguments fail clearly', () => {
    expect(runCli(['tfrecord', 'cat', join(scratch, 'missing.tfrecord')]).stderr).toBe(
      `realm: ${join(scratch, 'missing.tfrecord')}: cannot open TFRecord file: no such file\n`,
    );
    const limit = runCli(['tfrecord', 'cat', 'x', '--limit', 'ten']);
    expect(limit.status).toBe(1);
    expect(limit.stderr).toBe('realm: --limit must be a non-negative integer, got "ten"\n');
  });
});

describe('realm tfrecord count', () => {
  test.skipIf(!nextPage.present)('counts the fixture and a forced-gzip read agrees', () => {
    expect(runCli(['tfrecord', 'count', '--verify', '--gzip', nextPage.path]).stdout).toBe('100\n');
    // The gunzipped stream, written as a plain file, has the same count.
    const plain = join(scratch, 'plain.tfrecord');
    writeFileSync(plain, gunzipSync(readFileSync(nextPage.path)));
    expect(runCli(['tfrecord', 'count', plain]).stdout).toBe('100\n');
  });
});
