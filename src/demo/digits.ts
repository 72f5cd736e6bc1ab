import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';

/** Pixels per image: an 8×8 grid, row-major. */
export const PIXEL_COUNT = 64;
/** Digit classes 0..9. */
export const CLASS_COUNT = 10;

/** One handwritten digit: 64 pixel counts 0..16 (row-major 8×8) and its label 0..9. */
export const DigitRow = z.object({
  pixels: z.array(z.number().int().min(0).max(16)).length(PIXEL_COUNT),
  label: z
    .number()
    .int()
    .min(0)
    .max(CLASS_COUNT - 1),
});
export type DigitRow = z.infer<typeof DigitRow>;

const CsvRecord = z
  .array(z.unknown())
  .length(PIXEL_COUNT + 1, `expected ${PIXEL_COUNT + 1} columns (64 pixels, then the label)`);

/**
 * Reads the handwritten-digits data: a gzip-compressed CSV without header, one digit per line,
 * 64 integer pixel counts 0..16 then the label 0..9 (see examples/data/README.md).
 * @param path path to the `.csv.gz` file (plain `.csv` is read as is).
 * @returns the rows in file order.
 * @throws ModelctlError NOT_FOUND when the file does not exist; INVALID_INPUT naming the 1-based line and the
 *   field when a line has the wrong number of columns, a non-integer, or a value out of range.
 */
export async function loadDigits(path: string): Promise<DigitRow[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ModelctlError(ErrorCode.NOT_FOUND, `digits data file not found: ${path}`);
    }
    throw err;
  }
  // gzip magic number; lets a decompressed copy be read too
  const text = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return parseDigitsCsv(text, path);
}

/**
 * Parses digits CSV text (no header; 64 pixels then the label per line).
 * @param source named in error messages, e.g. the file path.
 * @throws ModelctlError INVALID_INPUT naming `source`, the 1-based line and the offending field.
 */
export function parseDigitsCsv(text: string, source = 'digits data'): DigitRow[] {
  // Column counts are checked below, so that the error names the line the way every other check does.
  // Unavoidable cast: csv-parse's sync typings return string[][] whatever the options, though `info: true` makes each
  // record `{ record, info }`.
  const records = parse(text, {
    cast: true,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
  }) as unknown as {
    record: unknown[];
    info: { lines: number };
  }[];
  return records.map(({ record, info }) => {
    const what = `${source} line ${info.lines}`;
    const columns = parseInput(CsvRecord, record, what);
    return parseInput(DigitRow, { pixels: columns.slice(0, PIXEL_COUNT), label: columns[PIXEL_COUNT] }, what);
  });
}
