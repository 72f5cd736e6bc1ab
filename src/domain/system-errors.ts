import { ErrorCode, ModelctlError, causeChain } from './errors';

/** The fields of a Node system error (`fs`, `net`) or a better-sqlite3 `SqliteError` that the mapping reads. */
interface SystemErrorLike {
  code?: unknown;
  path?: unknown;
  syscall?: unknown;
}

/**
 * Maps a failing dependency's system error, anywhere in `err`'s cause chain, to one ModelctlError a person can act on;
 * undefined when no cause is a known system error or `err` is already a ModelctlError. Mapped (docs/errors.md):
 * - ENOSPC, EDQUOT, SQLITE_FULL → NO_SPACE `no space left on <path>`
 * - EACCES, EPERM, SQLITE_READONLY → INVALID_INPUT `permission denied on <path>`
 * - EROFS → INVALID_INPUT `read-only file system at <path>`
 * - a lost PostgreSQL connection → UNAVAILABLE `lost the connection to PostgreSQL (…)` (see fromConnectionLoss)
 * - ENAMETOOLONG → INVALID_INPUT `file name too long: <path>`; ENOTDIR, and EEXIST of a mkdir (a home or store
 *   directory that is a file) → INVALID_INPUT `not a directory: <path>`
 * @param fallbackPath named when the error carries no path (SQLite errors never do): the database file, the store.
 */
export function fromSystemError(err: unknown, fallbackPath?: string): ModelctlError | undefined {
  // Already mapped where the path was known: keep that message.
  if (err instanceof ModelctlError) return undefined;
  const lost = fromConnectionLoss(err);
  if (lost !== undefined) return lost;
  for (const cause of causeChain(err)) {
    const { code, path, syscall } = cause as SystemErrorLike;
    if (typeof code !== 'string') continue;
    const where = shortPath(typeof path === 'string' ? path : (fallbackPath ?? 'the file system'));
    const mapped = code === 'EEXIST' && syscall === 'mkdir' ? notADirectory(where) : mapCode(code, where);
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
    case 'ENAMETOOLONG':
      return { code: ErrorCode.INVALID_INPUT, message: `file name too long: ${where}` };
    case 'ENOTDIR':
      return notADirectory(where);
    default:
      return undefined;
  }
}

/** PostgreSQL SQLSTATEs that end the session: admin/crash shutdown, cannot connect now, connection exceptions. */
const SESSION_ENDED_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
/** What `pg` says when the socket under a client closes, or a client that lost it is used again. */
const PG_CONNECTION_LOST = /^Connection terminated|^Client has encountered a connection error|^Connection ended/;
/** Socket errors that end a database connection. */
const SOCKET_LOST = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT']);

/**
 * The reason, when `err` (or a cause) says that the PostgreSQL connection was lost or refused (the server restarted,
 * the backend was terminated, the socket reset); undefined for any other error. Socket errors count only with
 * `socketsToo`: below the store every socket is the database's, above it they may be another service's.
 */
export function connectionLossReason(err: unknown, socketsToo = false): string | undefined {
  for (const cause of causeChain(err)) {
    const { code } = cause as SystemErrorLike;
    if (typeof code === 'string' && SESSION_ENDED_SQLSTATES.has(code)) return cause.message;
    if (PG_CONNECTION_LOST.test(cause.message)) return cause.message;
    if (socketsToo && typeof code === 'string' && SOCKET_LOST.has(code)) return cause.message;
  }
  return undefined;
}

/**
 * A lost PostgreSQL connection outside a write (a read, opening the registry) as UNAVAILABLE naming the database;
 * undefined when `err` is not one (or is already a ModelctlError). Writes say more: see the store's inTransaction.
 */
export function fromConnectionLoss(err: unknown, where = 'PostgreSQL'): ModelctlError | undefined {
  if (err instanceof ModelctlError) return undefined;
  const reason = connectionLossReason(err);
  if (reason === undefined) return undefined;
  return new ModelctlError(
    ErrorCode.UNAVAILABLE,
    `lost the connection to ${where} (${reason}); retry when the database is back`,
    undefined,
    { cause: err },
  );
}

/**
 * A failed `listen` (Node's EADDRINUSE, EACCES, EADDRNOTAVAIL, ENOTFOUND) as one line naming the address and the flag
 * that chose it; undefined for any other error. EADDRINUSE: another program holds the port (UNAVAILABLE, exit 7);
 * the others are a host or port this process cannot have (INVALID_INPUT, exit 2).
 * @param flags how the user chose the address, e.g. `--host / --port`.
 */
export function fromListenError(err: unknown, host: string, port: number, flags: string): ModelctlError | undefined {
  if (err instanceof ModelctlError) return undefined;
  const code = (err as SystemErrorLike | null)?.code;
  const at = `${host}:${port}`;
  const refuse = (errorCode: ErrorCode, message: string) =>
    new ModelctlError(errorCode, `cannot listen on ${at}: ${message}`, { host, port }, { cause: err });
  switch (code) {
    case 'EADDRINUSE':
      return refuse(
        ErrorCode.UNAVAILABLE,
        `the port is in use by another program; stop it or choose another (${flags})`,
      );
    case 'EACCES':
      return refuse(ErrorCode.INVALID_INPUT, `permission denied (ports below 1024 need privileges; ${flags})`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return refuse(ErrorCode.INVALID_INPUT, `${host} is not an address of this machine (${flags})`);
    default:
      return undefined;
  }
}

function notADirectory(where: string): { code: ErrorCode; message: string } {
  return { code: ErrorCode.INVALID_INPUT, message: `not a directory: ${where}` };
}

/** A path short enough for one line: a name too long for the file system is cut, with its length. */
function shortPath(path: string): string {
  return path.length <= 200 ? path : `${path.slice(0, 100)}… (${path.length} characters)`;
}
