import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { z } from 'zod';
import { ErrorCode, ModelctlError } from '../../domain/errors';
import { startServer } from '../../api/server';
import { action } from '../action';
import { configFrom } from '../config-options';
import { parseFlags } from '../parse-flags';

const ServeFlags = z
  .object({
    host: z.string().min(1).max(253).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65_535).default(8080),
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    rateLimit: z.coerce.number().int().min(1).max(100_000_000).optional(),
    temporalUiUrl: z
      .string()
      .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an http:// or https:// URL, e.g. http://localhost:8233')
      .optional(),
  })
  .strict()
  .refine((f) => (f.tlsCert === undefined) === (f.tlsKey === undefined), {
    message: 'give both --tls-cert and --tls-key, or neither',
    path: ['tlsCert'],
  });

/**
 * The PEM certificate and key of `--tls-cert` / `--tls-key`, checked to form a TLS context before the server starts.
 * @throws ModelctlError INVALID_INPUT naming the file that cannot be read, or the pair that does not load
 */
export function readTlsPair(certPath: string, keyPath: string): { cert: Buffer; key: Buffer } {
  const read = (path: string, flag: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new ModelctlError(ErrorCode.INVALID_INPUT, `cannot read ${flag} ${path} (${code})`);
    }
  };
  const pair = { cert: read(certPath, '--tls-cert'), key: read(keyPath, '--tls-key') };
  try {
    createSecureContext(pair);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ModelctlError(
      ErrorCode.INVALID_INPUT,
      `invalid --tls-cert/--tls-key: ${reason}; give a PEM certificate and its private key`,
    );
  }
  return pair;
}

/** `modelctl serve`: the HTTP API until SIGINT/SIGTERM, then a graceful shutdown that drains requests in flight. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the registry over HTTP (API under /api/v1, OpenAPI at /api/openapi.json) until SIGINT/SIGTERM')
    .option('--host <address>', 'address to bind (default 127.0.0.1: this machine only)')
    .option('--port <port>', 'TCP port (default 8080; 0 picks a free one)')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain); needs --tls-key')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option(
      '--rate-limit <n>',
      'requests per minute per token (per client address without one); default 1200000 (20,000 a second)',
    )
    .option(
      '--temporal-ui-url <url>',
      "Temporal Web UI the dashboard links workflows to (env TEMPORAL_UI_URL; default the embedded server's UI)",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl serve\n  $ modelctl serve --host 0.0.0.0 --tls-cert server.pem --tls-key server-key.pem\n  $ DATABASE_URL=postgres://… TEMPORAL_ADDRESS=temporal:7233 modelctl serve --host 0.0.0.0',
    )
    .action(
      action(
        async (
          raw: {
            host?: string;
            port?: string;
            tlsCert?: string;
            tlsKey?: string;
            rateLimit?: string;
            temporalUiUrl?: string;
          },
          command: Command,
        ) => {
          const f = parseFlags(ServeFlags, raw);
          const tls = f.tlsCert !== undefined && f.tlsKey !== undefined ? readTlsPair(f.tlsCert, f.tlsKey) : undefined;
          const config = configFrom(command);
          const server = await startServer({
            config:
              f.temporalUiUrl === undefined
                ? config
                : { ...config, temporal: { ...config.temporal, uiUrl: f.temporalUiUrl.replace(/\/+$/, '') } },
            host: f.host,
            port: f.port,
            tls,
            rateLimitMax: f.rateLimit,
          });
          if (server.adminTokenFile !== null)
            process.stderr.write(
              `modelctl serve: created the admin token; its secret is in ${server.adminTokenFile}\n`,
            );
          process.stderr.write(`modelctl serve: listening on ${server.url}\n`);
          await new Promise<void>((resolve) => {
            const stop = () => resolve();
            process.once('SIGINT', stop);
            process.once('SIGTERM', stop);
          });
          await server.close();
          return { stopped: true };
        },
        () => 'modelctl serve: stopped',
      ),
    );
}
