import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { fixture } from '@realm/testing';
import { decodeExample, encodeExample, type TfExample } from './example.js';
import { readTfExamples } from './example-file.js';
import { buildExample, bytesValues, floatValues, int64Numbers, int64Values, stringValues } from './features.js';
import { readTfRecords } from './record-file.js';

const FIX = {
  penguinEval: fixture('tfrecord/tfx_penguin/Split-eval/data_tfrecord-00000-of-00001.gz'),
  penguinTrain: fixture('tfrecord/tfx_penguin/Split-train/data_tfrecord-00000-of-00001.gz'),
  penguinCsv: fixture('tfrecord/tfx_penguin/penguins_processed.csv'),
  bertVincent: fixture('tfrecord/bert_create_pretraining_data/tf_examples.vincentcheny.tfrecord'),
  bertBiao: fixture('tfrecord/bert_create_pretraining_data/tf_examples.BiaoLiu2017.tfrecord'),
  nextPage: fixture('tfrecord/tfx_tfjs_next_page/data.tfrecord.gz'),
};

async function examplesOf(path: string): Promise<TfExample[]> {
  const out: TfExample[] = [];
  for await (const entry of readTfExamples(path)) out.push(entry.example);
  return out;
}

const PENGUIN_FLOATS = ['culmen_length_mm', 'culmen_depth_mm', 'flipper_length_mm', 'body_mass_g'] as const;

describe('tf.Example fixtures', () => {
  test.skipIf(!FIX.penguinEval.present || !FIX.penguinTrain.present || !FIX.penguinCsv.present)(
    'the 100 + 234 penguin records equal the CSV rows as multisets (CSV doubles rounded to float32)',
    async () => {
      const [header, ...rows] = readFileSync(FIX.penguinCsv.path, 'utf8').trimEnd().split('\n');
      expect(header).toBe('species,culmen_length_mm,culmen_depth_mm,flipper_length_mm,body_mass_g');
      const fromCsv = rows.map((row) => {
        const [species, ...floats] = row.split(',');
        return [Number(species), ...floats.map((f) => Math.fround(Number(f)))].join('|');
      });
      const evalExamples = await examplesOf(FIX.penguinEval.path);
      const trainExamples = await examplesOf(FIX.penguinTrain.path);
      expect([evalExamples.length, trainExamples.length]).toEqual([100, 234]);
      const fromRecords = [...evalExamples, ...trainExamples].map((ex) => {
        expect(Object.keys(ex).sort()).toEqual([...PENGUIN_FLOATS, 'species'].sort());
        const species = int64Numbers(ex, 'species');
        expect(species).toHaveLength(1);
        return [species[0], ...PENGUIN_FLOATS.map((name) => {
          const values = floatValues(ex, name);
          expect(values).toHaveLength(1);
          return values[0];
        })].join('|');
      });
      expect(fromCsv).toHaveLength(334);
      expect(fromRecords.sort()).toEqual(fromCsv.sort());
    },
  );

  test.skipIf(!FIX.penguinEval.present)('first eval penguin record has the exact float32 values', async () => {
    const [first] = await examplesOf(FIX.penguinEval.path);
    expect(int64Numbers(first, 'species')).toEqual([0]);
    expect(floatValues(first, 'culmen_depth_mm')[0]).toBe(0.5595238208770752);
    expect(floatValues(first, 'culmen_length_mm')[0]).toBe(0.24727272987365723);
    expect(floatValues(first, 'body_mass_g')[0]).toBe(0.2569444477558136);
    expect(floatValues(first, 'flipper_length_mm')[0]).toBe(0.1525423675775528);
  });

  test.skipIf(!FIX.bertVincent.present || !FIX.bertBiao.present)(
    'both BERT pre-training files decode to the same 60 examples despite different map order',
    async () => {
      const vincent = await examplesOf(FIX.bertVincent.path);
      const biao = await examplesOf(FIX.bertBiao.path);
      expect(vincent).toHaveLength(60);
      expect(biao).toEqual(vincent);
      expect(Object.keys(vincent[0])[0]).toBe('segment_ids');
      expect(Object.keys(biao[0])[0]).toBe('next_sentence_labels');
      for (const ex of vincent) {
        for (const name of ['input_ids', 'input_mask', 'segment_ids']) expect(int64Values(ex, name)).toHaveLength(128);
        for (const name of ['masked_lm_positions', 'masked_lm_ids']) expect(int64Values(ex, name)).toHaveLength(20);
        expect(floatValues(ex, 'masked_lm_weights')).toHaveLength(20);
        expect(int64Values(ex, 'next_sentence_labels')).toHaveLength(1);
      }
      const first = vincent[0];
      expect(int64Numbers(first, 'input_ids').slice(0, 9)).toEqual([101, 2005, 2062, 2084, 1037, 103, 2039, 103, 2307]);
      expect(int64Numbers(first, 'masked_lm_positions')).toEqual([5, 7, 12, 13, 14, 24, 32, 55, 59, 60, 71, 94, 103, 104, 105, 109, 112, 114, 117, 0]);
      expect(int64Numbers(first, 'masked_lm_ids')).toEqual([
        3542, 1996, 4625, 1999, 1996, 2011, 1997, 5472, 1996, 5532, 1997, 2008, 1037, 16465, 10427, 1998, 2037, 2000, 2098, 0,
      ]);
      expect(Array.from(floatValues(first, 'masked_lm_weights'))).toEqual([...Array(19).fill(1), 0]);
      expect(int64Numbers(first, 'next_sentence_labels')).toEqual([1]);
    },
  );

  test.skipIf(!FIX.nextPage.present)('tfjs next-page records 0 and 1', async () => {
    const examples = await examplesOf(FIX.nextPage.path);
    expect(examples).toHaveLength(100);
    expect([int64Numbers(examples[0], 'session_index'), stringValues(examples[0], 'cur_page'), stringValues(examples[0], 'label')]).toEqual([
      [1], ['page2'], ['page3'],
    ]);
    expect([int64Numbers(examples[1], 'session_index'), stringValues(examples[1], 'cur_page'), stringValues(examples[1], 'label')]).toEqual([
      [1], ['page4'], ['page2'],
    ]);
  });

  test.skipIf(Object.values(FIX).some((f) => !f.present))(
    're-encoding every decoded fixture Example reproduces the TensorFlow-serialized payload byte for byte',
    async () => {
      let checked = 0;
      for (const lookup of [FIX.bertVincent, FIX.bertBiao, FIX.penguinEval, FIX.penguinTrain, FIX.nextPage]) {
        for await (const payload of readTfRecords(lookup.path)) {
          expect(encodeExample(decodeExample(payload))).toEqual(payload);
          checked++;
        }
      }
      expect(checked).toBe(60 + 60 + 100 + 234 + 100);
    },
  );
});

const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (b) => parseInt(b, 16));

describe('tf.Example wire format', () => {
  // Example{features{feature{"ids": int64_list{1, 300}}}}, hand-assembled:
  // Int64List packed = 0a 03 01 ac02; Feature.int64_list(3) = 1a 05 ...; entry = key 0a 03 "ids", value 12 07 ...
  const PACKED = hex('0a10 0a0e 0a03 696473 1207 1a05 0a03 01 ac02');

  test('encodes int64 lists packed, exactly as hand-assembled', () => {
    expect(encodeExample(buildExample({ ids: 'int64' }, { ids: [1, 300] }))).toEqual(PACKED);
  });

  test('decodes unpacked repeated numbers and map entries whose value precedes the key', () => {
    const unpackedInt64 = hex('0a10 0a0e 0a03 696473 1207 1a05 0801 08ac02');
    const valueFirst = hex('0a10 0a0e 1207 1a05 0a03 01 ac02 0a03 696473');
    for (const bytes of [PACKED, unpackedInt64, valueFirst]) expect(int64Numbers(decodeExample(bytes), 'ids')).toEqual([1, 300]);
    // FloatList{1.5, -2} unpacked (fixed32 per value): 0d 0000c03f 0d 000000c0
    const unpackedFloat = hex('0a13 0a11 0a01 66 120c 120a 0d0000c03f 0d000000c0');
    expect(Array.from(floatValues(decodeExample(unpackedFloat), 'f'))).toEqual([1.5, -2]);
  });

  test('int64 values are exact over the whole range; the number accessor refuses unsafe ones', () => {
    const extremes = [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -1n, 0n];
    const decoded = decodeExample(encodeExample(buildExample({ v: 'int64' }, { v: extremes })));
    expect(Array.from(int64Values(decoded, 'v'))).toEqual(extremes);
    expect(() => int64Numbers(decoded, 'v')).toThrow('tf.Example feature "v" value 9223372036854775807 at index 0 is not a safe integer; use int64Values');
    // -1 is the 10-byte varint ff..ff 01 on the wire, as TF writes it.
    expect(encodeExample(buildExample({ n: 'int64' }, { n: -1 }))).toEqual(hex('0a15 0a13 0a01 6e 120e 1a0c 0a0a ffffffffffffffffff 01'));
  });

  test('builders: strings become UTF-8 bytes, floats float32, and mistakes are named', () => {
    const example = buildExample(
      { title: 'bytes', ids: 'int64', score: 'float', tags: 'bytes' },
      { title: 'Zürich', ids: [1, 2], score: 0.1, tags: [new Uint8Array([0xff]), 'b'] },
    );
    expect(bytesValues(example, 'title')).toEqual([new TextEncoder().encode('Zürich')]);
    expect(floatValues(example, 'score')[0]).toBe(Math.fround(0.1));
    expect(decodeExample(encodeExample(example))).toEqual(example);
    expect(() => stringValues(example, 'tags')).toThrow('tf.Example feature "tags" value 0 is not valid UTF-8');
    expect(() => buildExample({ ids: 'int64' }, { ids: [1.5] })).toThrow('buildExample: feature "ids": int64 feature value 1.5 at index 0 is not a safe integer');
    expect(() => buildExample({ ids: 'int64' }, { ids: [2 ** 63] as number[] })).toThrow(/not a safe integer \(pass a bigint/);
    expect(() => buildExample({ ids: 'int64' }, { ids: [2n ** 63n] })).toThrow('does not fit in int64');
    expect(() => buildExample({}, { stray: 1 } as never)).toThrow('buildExample: no kind declared for feature "stray"');
    expect(() => floatValues(example, 'ids')).toThrow('tf.Example feature "ids" is a int64 list, not float');
    expect(() => int64Values(example, 'missing')).toThrow('tf.Example has no feature "missing" (features: ids, score, tags, title)');
  });

  test('a Feature with no list set decodes as kind none and reads as an empty list', () => {
    // Example{features{feature{"e": Feature{}}}}
    const bytes = hex('0a07 0a05 0a01 65 1200');
    const example = decodeExample(bytes);
    expect(example).toEqual({ e: { kind: 'none' } });
    expect(int64Values(example, 'e')).toHaveLength(0);
    expect(stringValues(example, 'e')).toEqual([]);
    expect(encodeExample(example)).toEqual(bytes);
  });

  test('malformed bytes throw a decode error', () => {
    expect(() => decodeExample(hex('0a05 0a03'))).toThrow(/^tf\.Example decode failed \(4 bytes\): index out of range/);
    // An int64 varint cut off by the end of the payload (continuation bit set on the last byte).
    expect(() => decodeExample(hex('0a0c 0a0a 0a01 6e 1205 1a03 0a01 80'))).toThrow(
      'tf.Example decode failed (14 bytes): index out of range: 14 + 1 > 14',
    );
  });
});
