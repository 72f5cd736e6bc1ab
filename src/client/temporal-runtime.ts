import { Client, type Connection } from '@temporalio/client';
import type { ModelctlConfig } from '../config/environment';
import { ensureDevServer } from '../embedded/dev-server';
import { connectTemporalClient } from '../worker/temporal-connection';

/** A connected Temporal client, on the embedded dev server or on the cluster named by TEMPORAL_ADDRESS. */
export interface TemporalRuntime {
  connection: Connection;
  client: Client;
  address: string;
  namespace: string;
  taskQueue: string;
  /** Base URL of the Web UI when known (TEMPORAL_UI_URL, else the embedded server's), else null. */
  uiUrl: string | null;
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * Connects to Temporal: TEMPORAL_ADDRESS when set, else the embedded dev server under MODELCTL_HOME, started
 * in the background if it is not running yet. Makes sure modelctl's search attributes exist.
 * @throws ModelctlError TEMPORAL_BINARY_NOT_FOUND / UNAVAILABLE when the embedded server cannot start or the address
 *   does not answer (within seconds, naming it); CONFIGURATION for an unknown namespace.
 */
export async function connectTemporal(config: ModelctlConfig): Promise<TemporalRuntime> {
  let address = config.temporal.address;
  let uiUrl: string | null = config.temporal.uiUrl;
  const embedded = address === null;
  if (address === null) {
    const server = await ensureDevServer({
      home: config.home,
      port: config.temporal.embeddedPort,
      uiPort: config.temporal.embeddedUiPort,
    });
    address = server.address;
    uiUrl ??= server.uiUrl;
  }
  const connection = await connectTemporalClient(address, config.temporal.namespace);
  const client = new Client({ connection, namespace: config.temporal.namespace });
  return {
    connection,
    client,
    address,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    uiUrl,
    embedded,
    close: () => connection.close(),
  };
}

/** Link to a workflow in the Temporal Web UI, or null when the UI address is unknown. */
export function workflowUrl(
  runtime: Pick<TemporalRuntime, 'uiUrl' | 'namespace'>,
  workflowId: string,
  runId?: string,
): string | null {
  if (runtime.uiUrl === null) return null;
  const base = `${runtime.uiUrl}/namespaces/${encodeURIComponent(runtime.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}
