import { describe, expect, test } from 'vitest';
import { crc32c, crc32cUpdate, maskCrc, maskedCrc32c, unmaskCrc } from './crc32c.js';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  test('standard check value and RFC 3720 vectors', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // 32 zero bytes
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  test('incremental update equals one-shot over every split point', () => {
    const bytes = Uint8Array.from({ length: 37 }, (_, i) => (i * 31 + 7) & 0xff);
    const whole = crc32c(bytes);
    for (let i = 0; i <= bytes.length; i++) {
      expect(crc32cUpdate(crc32cUpdate(0, bytes.subarray(0, i)), bytes.subarray(i))).toBe(whole);
    }
  });

  test('masking round-trips and matches LevelDB crc32c::Mask on a hand value', () => {
    // Mask(0) = rotr(0,15) + 0xa282ead8
    expect(maskCrc(0)).toBe(0xa282ead8);
    for (const v of [0, 1, 0xdeadbeef, 0xffffffff, 0xe3069283]) expect(unmaskCrc(maskCrc(v))).toBe(v >>> 0);
    expect(maskedCrc32c(ascii('123456789'))).toBe(maskCrc(0xe3069283));
  });
});
