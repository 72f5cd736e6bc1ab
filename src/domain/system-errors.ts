import { ErrorCode, ModelctlError, causeChain } from './errors';

/** The fields of a Node system error (`fs`, `net`) or a better-sqlite3 `SqliteError` that the mapping reads. */
interface SystemErrorLike {
  code?: unknown;
  path?: unknown;
}

/**
 * Maps a failing dependency's system error, anywhere in `err`'s cause chain, to one ModelctlError a person can act on;
 * undefined when no cause is a known system error or `err` is already a ModelctlError. Mapped (docs/errors.md):
 * - ENOSPC, EDQUOT, SQLITE_FULL → NO_SPACE `no space left on <path>`
 * - EACCES, EPERM, SQLITE_READONLY → INVALID_INPUT `permission denied on <path>`
 * - EROFS → INVALID_INPUT `read-only file system at <path>`
 * @param fallbackPath named when the error carries no path (SQLite errors never do): the database file, the store.
 */
export function fromSystemError(err: unknown, fallbackPath?: string): ModelctlError | undefined {
  // Already mapped where the path was known: keep that message.
  if (err instanceof ModelctlError) return undefined;
  for (const cause of causeChain(err)) {
    const { code, path } = cause as SystemErrorLike;
    if (typeof code !== 'string') continue;
    const where = typeof path === 'string' ? path : (fallbackPath ?? 'the file system');
    const mapped = mapCode(code, where);
    if (mapped !== undefined) return new ModelctlError(mapped.code, mapped.message, { errno: code }, { cause: err });
  }
  return undefined;
}

function mapCode(code: string, where: string): { code: ErrorCode; message: string } | undefined {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
    case 'SQLITE_FULL':
      return { code: ErrorCode.NO_SPACE, message: `no space left on ${where}` };
    case 'EACCES':
    case 'EPERM':
    case 'SQLITE_READONLY':
      return { code: ErrorCode.INVALID_INPUT, message: `permission denied on ${where}` };
    case 'EROFS':
      return { code: ErrorCode.INVALID_INPUT, message: `read-only file system at ${where}` };
    default:
      return undefined;
  }
}
