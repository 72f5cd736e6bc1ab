/**
 * A local HTTP server that speaks the two W&B endpoints modelctl calls (`POST /graphql` upsertBucket and
 * `POST /files/<entity>/<project>/<run>/file_stream`) with W&B's semantics: a run is created by its first upsert and
 * updated by later ones; history lines are stored at their offset (a resend overwrites). Every request is recorded.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRun {
  name: string;
  project: string;
  /** How many upserts created it (must stay 1) and updated it. */
  inserts: number;
  updates: number;
  displayName: string | null;
  notes: string;
  config: Record<string, unknown>;
  tags: string[];
  summary: Record<string, unknown>;
  /** History lines by offset. */
  history: Record<string, unknown>[];
  complete: boolean;
  exitcode: number | null;
}

export interface FakeWandb {
  url: string;
  runs: Map<string, FakeRun>;
  requests: { path: string; auth: string | null; body: unknown }[];
  /** Answer the next `n` requests with HTTP 503. */
  failNext(n: number): void;
  close(): Promise<void>;
}

const ENTITY = 'team-ml';

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

export async function startFakeWandb(): Promise<FakeWandb> {
  const runs = new Map<string, FakeRun>();
  const requests: FakeWandb['requests'] = [];
  let failures = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      requests.push({ path: req.url ?? '', auth: req.headers.authorization ?? null, body });
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (failures > 0) {
        failures -= 1;
        return reply(503, { error: 'unavailable' });
      }
      if (req.url === '/graphql') {
        const v = (body as { variables: Record<string, unknown> }).variables;
        const name = String(v.name);
        let run = runs.get(name);
        const inserted = run === undefined;
        if (run === undefined) {
          run = {
            name,
            project: String(v.project),
            inserts: 1,
            updates: 0,
            displayName: null,
            notes: '',
            config: {},
            tags: [],
            summary: {},
            history: [],
            complete: false,
            exitcode: null,
          };
          runs.set(name, run);
        } else run.updates += 1;
        run.displayName = (v.displayName as string | null) ?? run.displayName;
        run.notes = String(v.notes ?? run.notes);
        run.config = JSON.parse(String(v.config ?? '{}'));
        run.tags = (v.tags as string[]) ?? run.tags;
        run.summary = JSON.parse(String(v.summaryMetrics ?? '{}'));
        return reply(200, {
          data: {
            upsertBucket: {
              bucket: { id: name, name, project: { name: run.project, entity: { name: ENTITY } } },
              inserted,
            },
          },
        });
      }
      const m = /^\/files\/([^/]+)\/([^/]+)\/([^/]+)\/file_stream$/.exec(req.url ?? '');
      const run = m ? runs.get(decodeURIComponent(m[3]!)) : undefined;
      if (!m || m[1] !== ENTITY || run === undefined) return reply(404, { error: `no run at ${req.url}` });
      const payload = body as {
        files?: Record<string, { offset: number; content: string[] }>;
        complete?: boolean;
        exitcode?: number;
      };
      const history = payload.files?.['wandb-history.jsonl'];
      if (history) history.content.forEach((line, i) => (run.history[history.offset + i] = JSON.parse(line)));
      const summary = payload.files?.['wandb-summary.json'];
      if (summary) run.summary = JSON.parse(summary.content[0]!);
      if (payload.complete) {
        run.complete = true;
        run.exitcode = payload.exitcode ?? null;
      }
      return reply(200, { exitcode: null, limits: {} });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    runs,
    requests,
    failNext: (n) => void (failures = n),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
