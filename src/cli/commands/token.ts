import type { Command } from 'commander';
import { z } from 'zod';
import type { CreatedToken } from '../../client/api-tokens';
import { ModelScope, RoleSchema, TokenName, type ApiTokenRecord } from '../../domain/api-token';
import { DurationMs } from '../../domain/duration';
import { action } from '../action';
import { parseFlags } from '../parse-flags';
import { formatTable } from '../table';
import { withRegistry } from '../with-registry';

const CreateFlags = z
  .object({
    name: TokenName,
    role: RoleSchema,
    model: ModelScope.optional(),
    expires: DurationMs.optional(),
  })
  .strict();

function formatTokens(tokens: ApiTokenRecord[]): string {
  if (tokens.length === 0) return 'no tokens';
  return formatTable(
    ['name', 'role', 'models', 'expires', 'revoked'],
    tokens.map((t) => [t.name, t.role, t.modelScope ?? '*', t.expiresAt ?? 'never', t.revokedAt ?? '-']),
  );
}

/** `modelctl token create|list|revoke`: the API tokens of `modelctl serve`. */
export function registerToken(program: Command): void {
  const token = program.command('token').description('API tokens of the HTTP server (modelctl serve)');
  token
    .command('create')
    .description('create a token and print its secret once (--json: {"token": …})')
    .requiredOption('--name <name>', 'token name: the actor recorded for everything done with it')
    .requiredOption('--role <role>', 'viewer | editor | admin')
    .option('--model <glob>', "only models matching this glob, e.g. 'fraud*'")
    .option('--expires <duration>', 'lifetime, e.g. 90d or 12h (default: never expires)')
    .addHelpText(
      'after',
      "\nExamples:\n  $ modelctl token create --name ci-bot --role editor --model 'fraud*' --expires 90d",
    )
    .action(
      action(
        async (
          raw: Record<string, string | undefined>,
          command: Command,
        ): Promise<{ token: string } & ApiTokenRecord> => {
          const f = parseFlags(CreateFlags, raw);
          const created: CreatedToken = await withRegistry(command, (r) =>
            r.tokens.create({
              name: f.name,
              role: f.role,
              modelScope: f.model,
              expiresIn: f.expires,
            }),
          );
          return { token: created.token, ...created.record };
        },
        (t) =>
          `${t.token}\ncreated token ${t.name} (role ${t.role}, models ${t.modelScope ?? '*'}, expires ${t.expiresAt ?? 'never'}); the secret is shown only once`,
      ),
    );
  token
    .command('list')
    .description('every token (never their secrets)')
    .action(
      action(async (_raw: unknown, command: Command) => withRegistry(command, (r) => r.tokens.list()), formatTokens),
    );
  token
    .command('revoke')
    .argument('<name>', 'token name')
    .description('revoke a token: requests with it are refused from now on')
    .action(
      action(
        async (name: string, _raw: unknown, command: Command) => withRegistry(command, (r) => r.tokens.revoke(name)),
        (t) => `revoked token ${t.name} at ${t.revokedAt ?? ''}`,
      ),
    );
}
