// FarmHash Fingerprint64 against published vectors: google/farmhash's own self-test, Guava's port tests,
// tecnickcom/farmhash64's string table, TensorFlow's documented to_hash_bucket_fast example, and ORQA's
// published split sizes (MANIFEST §4) as an end-to-end check over thousands of real questions.
import { fixture } from '@realm/testing';
import { describe, expect, test } from 'vitest';
import { fingerprint64, fingerprint64OfString, toHashBucketFast } from './fingerprint64.js';
import { countOrqaResplit } from './resplit.js';

const MASK64 = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;

/** farmhash.cc Setup(): the pseudo-random bytes the self-test hashes (a, b, k0 recurrence, byte = b >> 37). */
function farmhashTestData(size: number): Uint8Array {
  const data = new Uint8Array(size);
  let a = 9n;
  let b = 777n;
  for (let i = 0; i < size; i++) {
    a = (a + b) & MASK64;
    b = (b + a) & MASK64;
    a = ((a ^ (a >> 41n)) * K0) & MASK64;
    b = (((b ^ (b >> 41n)) * K0) + BigInt(i)) & MASK64;
    data[i] = Number((b >> 37n) & 0xffn);
  }
  return data;
}

/**
 * farmhashna::Hash64 values from google/farmhash src/farmhash.cc, namespace farmhashnaTest, array expected[]:
 * each test case there holds 6 uint32s (Hash64WithSeeds hi/lo, Hash64WithSeed hi/lo, Hash64 hi/lo); these are
 * the Hash64 pairs joined as 64-bit hex, in RunTest order: Test(i*i, i) for i = 0..298, then Test(0, i) for
 * i = 299, i += i/7 while i < 2^20, then Test(0, 2^20).
 */
const FARMHASHNA_HASH64_EXPECTED = [
  "9ae16a3b2f90404f", "541150e87f415e96", "0f3786a4b25827c1", "ef923a7a1af78eab", "11df592596f41d88", "831f448bdc5600b3",
  "3eca803e70304894", "1b5a063fb4c7f9f1", "a0f10149a0e538d6", "fb8d9c70660b910b", "236827beae282a46", "c385e435136ecf7c",
  "e3f6828b6017086d", "851fff285561dca0", "61152a63595a96d9", "44473e03be306c88", "03ead5f21d344056", "6abbfde37ee03b5b",
  "0943e7ed63b3c080", "d72ce05171ef8a1a", "4182832b52d63735", "d6cdae892584a2cb", "5c8e90bc267c5ee4", "bbd7f30ac310a6f3",
  "36a097aa49519d97", "0dc78cb032c49217", "441593e0da922dfe", "2ba3883d71cc2133", "f2b6d2adf8423600", "38fffe7f3680d63c",
  "b7477bf0b9ce37c6", "55bdb0e71e3edebd", "0782fa1b08b475e7", "09deb3da5e16b5b8", "0ee347d647f95396", "02ccf9db44ffcadc",
  "d76f044822fad20b", "4565c9a1f6cf7563", "de0ec95b0dd50728", "1e916689df731452", "01596fbb269fb44e", "3d0cc12df012fdc6",
  "18871267759f9e9e", "cf1fd8413d56223a", "2324170a136a5d06", "0f5a57eadc6c581d", "896893fc0b705345", "c59c4e1a7f4fe221",
  "01601bbbc1db4a56", "2784c6a7cd48179e", "7e1714daf34531b9", "52364482fbd72b69", "da99dc3d65ec5ea5", "a26c6862d8f398cf",
  "9340980e344ed13a", "ed560843e0444b29", "434da74b2ba4e026", "c0a50b576285052c", "84bf2c6955012dda", "52a098bd016ec185",
  "5f4a05c2bb909857", "2c1aa859228c620a", "e8a86180173c94bd", "a8edbff858475437", "def74bf4c9f1bc1b", "3cceab392bc39b3f",
  "9b97f76002f66a94", "546d5de7a7d7751b", "37da9fddb4f01efe", "dd3551cc9c9ab11e", "dabb0d9d0fb2a854", "d47e7c1f46fcdf8a",
  "a3c3d1c8f623c250", "875e2c13b2660e08", "2f70bfc44293f142", "37df2a50500cd289", "4587b6d460c6a7e8", "a23934f5737eac9d",
  "06d4e97f38e8852f", "68b80257af01bc8f", "93ffa56c72e1911a", "63b3f14a80122fe7", "9d215fcb4fc187c3", "4f94edba7c40f003",
  "a3ba25f225f1fd77", "7bbd7dbb185c99dc", "8930e3bea0728443", "9bcfd4da75c02684", "d25f7d5d58d4a1fb", "fe9e6f6e71de6b5a",
  "ded448f29841dad8", "85628801a71635fe", "7702ef00320a3339", "d3463da3e9055e34", "d9eb18e531eadb52", "1a1ccdba1ce27666",
  "1262318f0fffe11e", "fcf0dc0da9df5e16", "afbacd177d4af13b", "677366425bbd9874", "05ad36f677825ce0", "557388ca06f3e5e4",
  "3488c3fe80b25222", "14077c2e7841d062", "384fa4dc64ff2808", "0f81ff041e23cacb", "dde4877c5a1136c1", "41caf1407c857f51",
  "93860b2842c21cda", "a967a32bf028cacb", "e6da7d91081d01ce", "654b958a53a7cffe", "6b9d5fac98b5ffd2", "fe9f80a8b710e6b2",
  "1b638d942dfd90d5", "0b0a6d75f06216c7", "d16349711264a197", "fd5405d898ed2c27", "0251eff2e0bd17e6", "b8c5b1d44acf10e6",
  "8cdf28220346651c", "97173f7590fbe61b", "a3693d5d4c5949c0", "4c5b2ceb42d743c5", "7ecff84a2a815e39", "7da8621937411360",
  "f672649174c36ae1", "99096f55f2e75eb0", "f4a9a248b462909d", "d4f7c858d78153b6", "5be83a9fb802c999", "3321995895ed07e1",
  "a77a9d501b6eaae6", "74454dd17b5dee37", "41f355151543772f", "da4f403068577213", "3b237c5bc9b4077e", "060130be1aebbc74",
  "d99408e78e772416", "7c80110a09cc95b8", "a3f9bcb8695ea709", "cd1b9114c616cec1", "a45476a60c5d19bd", "9ddbccff8cb0dc04",
  "533c6ba7521f04de", "558a6b37418dc38b", "c922fb4fd321fefc", "f348d9e714174892", "266fa1e24de39868", "4a114282f4ee38fa",
  "c9504fb06a97dc38", "62dca9b1ad8a25c7", "15e051deb7113a86", "feb2d313e8654393", "6ecde27579a058da", "f3095d4ad48818cc",
  "0fdabb4c6f2311fe", "370422e41d3e165d", "e47c9ee1c3ef66ec", "9deb67341dcf3aac", "a785317e5d12e3cf", "c02b580ea55a3330",
  "7d96716705bfdab6", "49ab9d3ffc91fbe2", "1081e8e8f46dd949", "197ae4cafd223bf7", "6ecab227cf34a715", "155722f995ab3a2f",
  "5b8578c8213008f8", "5800a84cada208d8", "b5e288e4f130595a", "6b68f3f03b086b09", "f192b850ae703a07", "fe3a022b04e46731",
  "1bae4d46f9cb1db7", "2bb8767b5e66e564", "6fed858ce932d9ca", "0085a8a5976826bd", "785de4d7f17e4664", "29c5e93963df0602",
  "ba96a19c1827a663", "84903b30f2af686a", "877259502fe5981d", "ef8f547ee4f85592", "cc1b9b9f2e7539bc", "b63673f4883d092e",
  "6a48bf603112a5b6", "b4bb81fdf7f038fd", "cbe7b570beab5943", "b32f6363f9fcd740", "69daeee766778578", "28c657f61fab27a7",
  "b91cf320c999a8a1", "2e52ba77c133f42b", "9deef859534c3406", "be5b865b306253c4", "cad7bfde976e4252", "2ec96e6b3842fe72",
  "ed879fb271ea6dbb", "1efdc709bda0b3a0", "40f32eb90e5caa01", "b3ddcf97e4306889", "125bfd33fe0ecf41", "be0542cbf1796033",
  "f2e2d6286459e2a9", "0c5326bd8821d4e9", "8425a93914df07e5", "000226b470bee2af", "1936427e13b4efce", "36c28690166f43b6",
  "cc1b5a91be020cde", "e5c7361072f2de62", "b657b2d87db106ee", "50145d8785ee996b", "251aee6536aa2a42", "c4ae6490aab5af84",
  "9e9bfc35779f33f3", "49bf088acd94932c", "c3dad9832ede538a", "4a31864fc27f7ddd", "3add60cebf1ba980", "6ce7dea06a3651aa",
  "93f4b06b421cae73", "f9c9553043523ac7", "60c8e04eca001811", "621d0e524565f58d", "3afbc2bad828d5f3", "5a693d7dd9ea397b",
  "dc7727b1bc10d1e7", "49c168336e90d6fa", "eacaa55f345e81e8", "914c2434bc938c11", "49a130134ae4712f", "70418de07c33d518",
  "b6c46967a527c5f0", "23d5e96aedf9fddb", "986925e835b0396e", "0563048411e67e18", "c1f2977b2052655f", "4bec2a224880c794",
  "136969eed9b76a41", "416bcddac2720631", "dcccf3e91883604b", "ce44e3f9754730f4", "35b5d7f99fe567ed", "2f829f48c3de0f66",
  "84506f60d7f8287d", "b6770e806048add8", "a10c94bef7174647", "1ace8010a020d7ed", "499de2f3803fcdfb", "7cada474463dca99",
  "bf8e9bee9b0e773a", "eeb4ee690e3d215d", "0b1673a38d1e3e7e", "74fbce74d2fe60f8", "7fd20f1452dfbc03", "d66e58c6be0bb6f5",
  "c8ed9b3b7ab60e79", "45b681723322c1da", "370653e1f282b7f3", "e303a81022a4d335", "7bd4badf32c2109c", "a68aa3a27cd5a3fa",
  "ba1ac8058cfdb3c1", "78a3316389d20f04", "247bd40c5cb683a9", "c5108b8165773fc1", "45d166fb79c7c999", "df3262333d4db4a9",
  "005d4d41c837dd5a", "3d11bd2872e494f2", "ca374e26504c25b9", "7bae863efa81e690", "29c8c794585501a8", "4f8fae11ab149012",
  "3c345c932a87767d", "f3ba6d9fc095cd6c", "922ec7bd5017c305", "22fceef9724c5cb0", "d08d8a2a0eb43abf", "a916f7888a1e6b29",
  "2e2c44354ca22282", "17a9ec77665f6489", "ad1e8f0ee811626c", "5d4abe0923d10d72", "439cb274c0c66080", "149903cb87963e0a",
  "40536db57e881d60", "4a143dceeda4cd43", "b6b24e56b9733b9f", "3d04be29e04c183d", "82f29a9d9d95d2fc", "fa6c1ed6fbba1f2b",
  "1172c3eb54e402e1", "ae78bb983e7ba6ff", "946f7a74f44805c0", "eb5dead213fea974", "2031c84bc57a1a9f", "cc79d4ba95da7979",
  "902d34061d0c9b0d", "43b6d221b3111645", "f4edef10db556f29", "d23a1f4d446476b6", "c537780b6fc3a700", "fb687f7817e37c58",
  "098ecbed8fd618bd", "6e771631bed6b1bd", "db5d1814fec5e834", "436a00a70b9c1ffb", "cd0b9e228116aad2", "b9283aba3478a00f",
  "553997940f08b9ba", "d7fc9e2ce6a87ccf", "9570d22d62e5b76a", "ba108e8ee785d862", "9b94c379263d7fe1", "139e088b074371ea",
  "387e353d76c492eb", "b5d71307a4ed9c93", "25635f216bb32ec7", "22cfe733f6eabdf4", "c24bd5b02665493b", "b5fa553ba950da75",
  "85cf1e78f1d848e8", "340f5b7791e4548f", "4987ca0380f3d80f", "95edf617b8cd85fc", "1c08973b9ade51d4", "32b4281dd7eaa585",
  "a5d0883f38405227", "71565ae438045cf9", "c264c50383da6de5", "c7a19295a6b002c6", "c9098cdae4a2f20c", "a4cd94704fc2e100",
  "968a9827fa1d723a", "888136b86aece8d5", "5ca68e8c674ced20", "40a732d5c0c1f5e2", "55284b90c2e6ca4a", "c77f596870d355b7",
  "3fee66f3d37192c5", "5ef86ac236cd271a", "eb9e167f344ca480", "0d5e1ac5adbebab1", "ae1492904a9d2aae", "16f569382632ac90",
  "fe1b0348b544ecbe", "d0eb2b0ca8b71475", "743851a0b2c65cfc", "6631244700f2e4a4", "9b4fa5cac1ef9989", "f785bc5b7cfdff86",
  "7e7e32e03fbbff62", "27f86b342dd5aa61", "16a43bae5cd6c6d8", "209fd66b1728f0c5", "591e9402f3fd441f", "71f18bea3ec92b69",
  "dd8e83ed443749fe", "f853fb08a3c22903",
];

function farmhashTestCases(): Array<{ offset: number; length: number }> {
  const dataSize = 1 << 20;
  const cases: Array<{ offset: number; length: number }> = [];
  let i = 0;
  for (; i < 299; i++) cases.push({ offset: i * i, length: i });
  for (; i < dataSize; i += Math.floor(i / 7)) cases.push({ offset: 0, length: i });
  cases.push({ offset: 0, length: dataSize });
  return cases;
}

describe('fingerprint64 (farmhashna::Hash64)', () => {
  test('matches all 362 farmhashnaTest Hash64 values, covering every length branch and 1 MiB', () => {
    const cases = farmhashTestCases();
    expect(cases).toHaveLength(FARMHASHNA_HASH64_EXPECTED.length);
    const data = farmhashTestData(1 << 20);
    const actual = cases.map(({ offset, length }) => fingerprint64(data.subarray(offset, offset + length)).toString(16).padStart(16, '0'));
    expect(actual).toEqual(FARMHASHNA_HASH64_EXPECTED);
  });

  // google/guava guava-tests/test/com/google/common/hash/FarmHashFingerprint64Test.java,
  // testReallySimpleFingerprints (Java longs, i.e. the fingerprint read as signed 64-bit).
  test.each([
    ['test', 8581389452482819506n],
    ['test'.repeat(8), -4196240717365766262n],
    ['test'.repeat(64), 3500507768004279527n],
  ])('Guava vector %#', (text, expectedSigned) => {
    expect(BigInt.asIntN(64, fingerprint64OfString(text))).toBe(expectedSigned);
  });

  // tecnickcom/farmhash64 python/tests/test_farmhash64.py hashTestData (farmhash64 column): one string per branch.
  test.each([
    ['', 0x9ae16a3b2f90404fn],
    ['a', 0xb3454265b6df75e3n],
    ['abc', 0x24a5b3a074e7f369n],
    ['abcd', 0x1a5502de4a1f8101n],
    ['abcdefgh', 0xfee9d22990c82909n],
    ['0123456789=012345', 0x46a7416ed4861e3bn],
    ['C is as portable as Stonehedge!!', 0xb944f8a16261e414n],
    ['Discard medicine more than two years old.', 0xe8f89ab6df9bdd25n],
    ['Give me a rock, paper and scissors and I will move the world.  CCFestoon', 0xa2b8bf3032021993n],
  ])('tecnickcom vector %j', (text, expected) => {
    expect(fingerprint64OfString(text)).toBe(expected);
  });

  test('hashes UTF-8 bytes: "é" is the two bytes C3 A9', () => {
    expect(fingerprint64OfString('é')).toBe(fingerprint64(new Uint8Array([0xc3, 0xa9])));
    expect(fingerprint64OfString('é')).not.toBe(fingerprint64(new Uint8Array([0xe9])));
  });
});

describe('toHashBucketFast', () => {
  // TensorFlow API docs, tf.strings.to_hash_bucket_fast: (["Hello", "TensorFlow", "2.x"], 3) -> [0, 2, 2].
  test('reproduces the documented TensorFlow example', () => {
    expect(['Hello', 'TensorFlow', '2.x'].map((text) => toHashBucketFast(text, 3))).toEqual([0, 2, 2]);
  });

  test('is the unsigned fingerprint modulo the bucket count', () => {
    // Guava's "test"*8 fingerprint is negative as a Java long; TF reads it unsigned: 14250503356343785354.
    const unsigned = BigInt.asUintN(64, -4196240717365766262n);
    expect(unsigned).toBe(14250503356343785354n);
    expect(toHashBucketFast('test'.repeat(8), 100000)).toBe(Number(unsigned % 100000n));
    expect(toHashBucketFast('test'.repeat(8), 100000)).toBe(85354);
  });

  test('rejects a bucket count below 1', () => {
    expect(() => toHashBucketFast('x', 0)).toThrow('toHashBucketFast: numBuckets must be an integer >= 1, got 0');
  });
});

describe('ORQA re-split sizes (MANIFEST §4, orqa-spec §3.4)', () => {
  const webQuestions = fixture('qa/webquestions/WebQuestions-train.txt');
  const curatedTrec = fixture('qa/curatedtrec/CuratedTrec-train.txt');

  test.skipIf(!webQuestions.present)('WebQuestions train (3778) splits into 3417 train / 361 dev', async () => {
    expect(await countOrqaResplit(webQuestions.path)).toEqual({ train: 3417, dev: 361 });
  });

  test.skipIf(!curatedTrec.present)('CuratedTrec train (1486) splits into 1353 train / 133 dev', async () => {
    expect(await countOrqaResplit(curatedTrec.path)).toEqual({ train: 1353, dev: 133 });
  });
});
