import { ErrorCode, ModelctlError } from '../domain/errors';

/**
 * A well-formed range that selects no byte of the artifact: answered 416 with `Content-Range: bytes *\/<size>`
 * (RFC 9110 §15.5.17), so a client resuming a download learns the size.
 */
export class RangeNotSatisfiable extends Error {
  readonly statusCode = 416;
  constructor(
    readonly header: string,
    readonly sizeBytes: number,
  ) {
    super(`Range ${header} is outside the artifact (${sizeBytes} bytes)`);
    this.name = 'RangeNotSatisfiable';
  }
}

/**
 * The one byte range of a `Range: bytes=…` header (RFC 9110 §14.1.2) over `size` bytes: `a-b`, `a-` or the suffix
 * `-n`, clamped to the end. Absent header: undefined (the whole body).
 * @throws ModelctlError INVALID_INPUT for another unit or several ranges; RangeNotSatisfiable for a range outside the artifact
 */
export function parseByteRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null || (match[1] === '' && match[2] === ''))
    throw new ModelctlError(ErrorCode.INVALID_INPUT, `invalid Range ${JSON.stringify(header)}: use bytes=start-end`);
  const [first, last] = [match[1]!, match[2]!];
  const range =
    first === ''
      ? { start: Math.max(size - Number(last), 0), end: size - 1 }
      : { start: Number(first), end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
  if (range.start > range.end || range.start >= size) throw new RangeNotSatisfiable(header, size);
  return range;
}
