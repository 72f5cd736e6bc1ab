import { randomBytes } from 'node:crypto';
import { CRC32C } from '@google-cloud/storage';
import { nativeCrc32c } from '../../../src/artifacts/crc32c';

const base64 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b.toString('base64');
};

describe('nativeCrc32c', () => {
  test.each([
    ['32 zero bytes', Buffer.alloc(32, 0), 0x8a9136aa],
    ['32 bytes of 0xff', Buffer.alloc(32, 0xff), 0x62a8ab43],
    ['32 ascending bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
    ['"123456789"', Buffer.from('123456789'), 0xe3069283],
  ])('RFC 3720 check value for %s', (_, data, expected) => {
    const v = nativeCrc32c();
    v.update(data);
    expect(v.toString()).toBe(base64(expected));
    expect(v.validate(base64(expected))).toBe(true);
    expect(v.validate(base64((expected ^ 1) >>> 0))).toBe(false);
  });

  test('an empty input is 0 (AAAAAA==), as GCS reports for an empty object', () => {
    expect(nativeCrc32c().toString()).toBe('AAAAAA==');
  });

  test('updates in uneven chunks give what @google-cloud/storage computes over the whole buffer', () => {
    const data = randomBytes(1 << 20);
    const theirs = new CRC32C();
    theirs.update(data);
    const ours = nativeCrc32c();
    for (let at = 0, size = 1; at < data.length; at += size, size = (size * 7 + 13) % 65_537)
      ours.update(data.subarray(at, at + size));
    expect(ours.toString()).toBe(theirs.toString());
  });
});
