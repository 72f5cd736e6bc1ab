import type { Readable } from 'node:stream';
import { ErrorCode, ModelctlError } from '../../domain/errors';

/** Where the CLI's remote mode sends its calls: the server's base URL and the token it authenticates with. */
export interface RemoteTarget {
  /** `http(s)://host:port` of `modelctl serve`, without the `/api/v1` prefix. */
  url: string;
  /** The bearer secret (`mct_…`); null sends none (the server then answers 401). */
  token: string | null;
}

/** How long one call may take before the server counts as unreachable. */
const CALL_TIMEOUT_MS = 90_000;

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

/** A query string of the defined values (arrays repeat the key), or '' when there are none. */
export function queryString(query: Record<string, string | number | boolean | string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) params.append(key, String(one));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * The HTTP API of a modelctl server over Node's fetch: JSON in, JSON out, every error answer turned back into the
 * ModelctlError it was made from (same code, same one-line detail), so the CLI prints and exits as it does locally.
 */
export class ApiHttp {
  constructor(readonly target: RemoteTarget) {}

  /**
   * One call under `/api/v1`. @returns the parsed JSON answer (null for an empty one)
   * @throws ModelctlError with the answer's code; SERVER_UNREACHABLE when the server does not answer
   */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.send<T>(
      method,
      path,
      body === undefined
        ? {}
        : {
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          },
    );
  }

  /** Streams `source` (`length` bytes) as the body of a POST. @throws as {@link call} */
  async upload<T>(path: string, source: Readable, length: number): Promise<T> {
    return this.send<T>('POST', path, {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(length) },
      // Unavoidable cast: Node's fetch (undici) streams any async iterable such as a Readable, but the DOM typings
      // of RequestInit only admit a web ReadableStream; converting with Readable.toWeb would add a copy per chunk.
      body: source as unknown as ReadableStream,
      duplex: 'half',
    } as RequestInit);
  }

  private async send<T>(method: string, path: string, init: RequestInit): Promise<T> {
    const url = `${this.target.url.replace(/\/+$/, '')}/api/v1${path}`;
    const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
    if (this.target.token !== null) headers.authorization = `Bearer ${this.target.token}`;
    let res: Response;
    try {
      res = await fetch(url, { ...init, method, headers, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    } catch (err) {
      throw unreachable(this.target.url, err);
    }
    const text = await res.text();
    if (res.ok) return (text === '' ? null : JSON.parse(text)) as T;
    throw problemError(res.status, text);
  }
}

/** The ModelctlError an error answer stands for; an answer that is not problem+json keeps its status. */
function problemError(status: number, text: string): Error {
  let problem: { code?: unknown; detail?: unknown } = {};
  try {
    problem = JSON.parse(text) as typeof problem;
  } catch {
    // Not JSON: a proxy in between answered; say what came back.
  }
  const detail = typeof problem.detail === 'string' ? problem.detail : `the server answered HTTP ${status}`;
  if (typeof problem.code === 'string' && KNOWN_CODES.has(problem.code))
    return new ModelctlError(problem.code as ErrorCode, detail);
  // UNEXPECTED (a server bug) and anything unknown stay unexpected on this side too.
  return new Error(detail);
}

function unreachable(url: string, err: unknown): ModelctlError {
  const cause = err instanceof Error ? (err.cause as { code?: string } | undefined) : undefined;
  const reason =
    err instanceof Error && err.name === 'TimeoutError'
      ? `no answer in ${CALL_TIMEOUT_MS / 1000} s`
      : (cause?.code ?? (err instanceof Error ? err.message : String(err)));
  return new ModelctlError(
    ErrorCode.SERVER_UNREACHABLE,
    `cannot reach the modelctl server at ${url} (${reason}); check MODELCTL_URL / --url and that \`modelctl serve\` runs there`,
    undefined,
    { cause: err },
  );
}
