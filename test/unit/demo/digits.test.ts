import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadDigits, parseDigitsCsv } from '../../../src/demo';
import { DIGITS_PATH, labelCounts } from '../../helpers/digits';

const FIRST_ROW = [
  0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0, 8, 8, 0, 0, 5, 8, 0, 0,
  9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0,
];
const line = (values: (number | string)[]) => values.join(',');

describe('loadDigits', () => {
  it('reads all 1,797 digits with the label counts of the file', async () => {
    const rows = await loadDigits(DIGITS_PATH);
    expect(rows).toHaveLength(1797);
    expect(labelCounts(rows)).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    expect(rows[0]).toEqual({ pixels: FIRST_ROW, label: 0 });
    expect(rows.every((r) => r.pixels.length === 64)).toBe(true);
  });

  it('reads a plain, uncompressed CSV the same way as a gzip-compressed one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'digits-'));
    const text = `${line([...FIRST_ROW, 0])}\n${line([...FIRST_ROW.map(() => 16), 9])}\n`;
    await writeFile(join(dir, 'plain.csv'), text);
    await writeFile(join(dir, 'packed.csv.gz'), gzipSync(text));
    const plain = await loadDigits(join(dir, 'plain.csv'));
    expect(plain).toEqual(await loadDigits(join(dir, 'packed.csv.gz')));
    expect(plain.map((r) => r.label)).toEqual([0, 9]);
  });

  it('fails with NOT_FOUND naming a missing file', async () => {
    await expect(loadDigits('/nonexistent/digits.csv.gz')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'digits data file not found: /nonexistent/digits.csv.gz',
    });
  });
});

describe('parseDigitsCsv', () => {
  const good = line([...FIRST_ROW, 3]);

  it('names the line and the column count when a line is short', () => {
    expect(() => parseDigitsCsv(`${good}\n${line([...FIRST_ROW, 3].slice(1))}\n`, 'd.csv')).toThrow(
      'invalid d.csv line 2: (root): expected 65 columns (64 pixels, then the label)',
    );
  });

  it('names the line and the pixel when a pixel is out of 0..16', () => {
    const bad = [...FIRST_ROW];
    bad[5] = 17;
    expect(() => parseDigitsCsv(`${good}\n${good}\n${line([...bad, 3])}`, 'd.csv')).toThrow(
      /^invalid d\.csv line 3: pixels\.5: .*<=16/,
    );
  });

  it('names the line and the label when the label is not a digit 0..9', () => {
    expect(() => parseDigitsCsv(line([...FIRST_ROW, 10]), 'd.csv')).toThrow(/^invalid d\.csv line 1: label: .*<=9/);
  });

  it('rejects a non-numeric value with INVALID_INPUT naming the field', () => {
    const bad: (number | string)[] = [...FIRST_ROW, 1];
    bad[0] = 'x';
    expect(() => parseDigitsCsv(line(bad), 'd.csv')).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/^invalid d\.csv line 1: pixels\.0: /),
      }),
    );
  });
});
