import { z } from 'zod';

/** Longest path a flag may name: Linux's PATH_MAX, so a longer one is refused here, not by the file system. */
export const MAX_PATH_LENGTH = 4096;

/**
 * A file or directory named on the command line: not empty or blank (a name of spaces is almost always a quoting
 * mistake, and would create a file called `  `), at most {@link MAX_PATH_LENGTH} characters.
 * @param what what the path must name, for the message (`a file`, `a JSON Lines file`).
 */
export function pathFlag(what: string) {
  return z
    .string()
    .refine((s) => s.trim() !== '', `must name ${what} (not empty or blank)`)
    .refine((s) => s.length <= MAX_PATH_LENGTH, `must be at most ${MAX_PATH_LENGTH} characters`);
}
