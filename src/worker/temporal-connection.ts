import { Socket } from 'node:net';
import { status } from '@grpc/grpc-js';
import { Connection } from '@temporalio/client';
import { ErrorCode, ModelctlError, causeChain } from '../domain/errors';
import { ensureSearchAttributes } from './search-attributes';

/**
 * How long a TCP connection to the Temporal frontend may take (ms). A refused port or an unknown host fails at once;
 * this bounds a host that drops packets, far below the SDK's own deadline (it retries a refused port for 20 s).
 */
export const TEMPORAL_PROBE_TIMEOUT_MS = 5_000;
/** The gRPC handshake's deadline once the port answers (ms): slow clusters and loaded machines still make it. */
const TEMPORAL_CONNECT_TIMEOUT_MS = 15_000;

function unavailable(address: string, why: string, cause?: unknown): ModelctlError {
  return new ModelctlError(
    ErrorCode.UNAVAILABLE,
    `cannot reach Temporal at ${address}: ${why} (TEMPORAL_ADDRESS / --temporal-address)`,
    { address },
    { cause },
  );
}

/** Node's words for the socket errors a wrong address gives, as a person would say them. */
function socketReason(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listens on that port)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return err.code ?? err.message;
  }
}

/**
 * Opens and closes one TCP connection to `address` (host:port), so that a wrong address fails in milliseconds with its
 * cause instead of after the SDK's connect deadline with "Failed to connect before the deadline".
 * @throws ModelctlError UNAVAILABLE naming the address and the cause (refused, unknown host, no answer in 5 s).
 */
export async function probeTemporalAddress(address: string, timeoutMs = TEMPORAL_PROBE_TIMEOUT_MS): Promise<void> {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(colon + 1));
  await new Promise<void>((resolve, reject) => {
    const socket = new Socket();
    const done = (err?: ModelctlError) => {
      socket.destroy();
      if (err === undefined) resolve();
      else reject(err);
    };
    socket.setTimeout(timeoutMs, () => done(unavailable(address, `no answer in ${timeoutMs / 1000} s`)));
    socket.once('error', (err: NodeJS.ErrnoException) => done(unavailable(address, socketReason(err), err)));
    socket.connect(port, host, () => done());
  });
}

/** The gRPC status code of an error or of one of its causes. */
function grpcCode(err: unknown): number | undefined {
  for (const e of causeChain(err, 6)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/**
 * Connects a client to the Temporal frontend at `address` and makes sure modelctl's search attributes exist in
 * `namespace`, with every failure one line: an unreachable address fails fast (see {@link probeTemporalAddress}),
 * an unknown namespace names itself and how to create it.
 * @throws ModelctlError UNAVAILABLE (address unreachable, or held by a server that is not Temporal), CONFIGURATION
 *   (unknown namespace)
 */
export async function connectTemporalClient(address: string, namespace: string): Promise<Connection> {
  await probeTemporalAddress(address);
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: TEMPORAL_CONNECT_TIMEOUT_MS });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // The port took the TCP connection (the probe passed), so what failed is the gRPC handshake: a server of
    // another kind (an HTTP/1 server, a database) holds the address.
    const why = /deadline/i.test(message)
      ? `the port answers, but no gRPC handshake completed in ${TEMPORAL_CONNECT_TIMEOUT_MS / 1000} s: is it a Temporal frontend?`
      : message;
    throw unavailable(address, why, err);
  }
  try {
    await ensureSearchAttributes(connection, namespace);
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw fromNamespaceError(err, address, namespace) ?? fromForeignServer(err, address) ?? err;
  }
  return connection;
}

/**
 * A gRPC server that is not a Temporal frontend (UNIMPLEMENTED: it has no WorkflowService, or an HTTP/2 server that
 * answers 404) as UNAVAILABLE naming the address; undefined for any other error.
 */
function fromForeignServer(err: unknown, address: string): ModelctlError | undefined {
  if (grpcCode(err) !== status.UNIMPLEMENTED) return undefined;
  const detail = err instanceof Error ? err.message : String(err);
  return unavailable(address, `it answers, but not as a Temporal frontend (${detail})`, err);
}

/** An unknown namespace (gRPC NOT_FOUND from the frontend) as one line naming it; undefined for any other error. */
function fromNamespaceError(err: unknown, address: string, namespace: string): ModelctlError | undefined {
  if (grpcCode(err) !== status.NOT_FOUND) return undefined;
  return new ModelctlError(
    ErrorCode.CONFIGURATION,
    `Temporal namespace ${JSON.stringify(namespace)} does not exist on ${address}; create it (temporal operator namespace create --namespace ${namespace}) or choose another (TEMPORAL_NAMESPACE / --namespace)`,
    { namespace, address },
    { cause: err },
  );
}
