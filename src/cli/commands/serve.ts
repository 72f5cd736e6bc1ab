import type { Command } from 'commander';
import { z } from 'zod';
import { startServer } from '../../api/server';
import { action } from '../action';
import { configFrom } from '../config-options';
import { parseFlags } from '../parse-flags';

const ServeFlags = z
  .object({
    host: z.string().min(1).max(253).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65_535).default(8080),
  })
  .strict();

/** `modelctl serve`: the HTTP API until SIGINT/SIGTERM, then a graceful shutdown that drains requests in flight. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the registry over HTTP (API under /api/v1, OpenAPI at /api/openapi.json) until SIGINT/SIGTERM')
    .option('--host <address>', 'address to bind (default 127.0.0.1: this machine only)')
    .option('--port <port>', 'TCP port (default 8080; 0 picks a free one)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl serve\n  $ DATABASE_URL=postgres://… TEMPORAL_ADDRESS=temporal:7233 modelctl serve --host 0.0.0.0',
    )
    .action(
      action(
        async (raw: { host?: string; port?: string }, command: Command) => {
          const f = parseFlags(ServeFlags, raw);
          const server = await startServer({ config: configFrom(command), host: f.host, port: f.port });
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
