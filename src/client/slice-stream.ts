import { Readable } from 'node:stream';

/**
 * The bytes `[start, end]` (inclusive offsets) of `source` as a stream: earlier bytes are read and dropped, and
 * `source` is destroyed once `end` is passed, so memory stays at one chunk whatever the offsets.
 */
export function sliceStream(source: Readable, start: number, end: number): Readable {
  async function* slice(): AsyncGenerator<Buffer> {
    let offset = 0;
    try {
      for await (const chunk of source) {
        const buf = chunk as Buffer;
        const from = Math.max(start - offset, 0);
        const to = Math.min(end - offset + 1, buf.length);
        if (to > from) yield buf.subarray(from, to);
        offset += buf.length;
        if (offset > end) return;
      }
    } finally {
      source.destroy();
    }
  }
  return Readable.from(slice());
}
