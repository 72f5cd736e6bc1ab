import type { Command } from 'commander';
import { z } from 'zod';
import type { RemoteTarget } from '../client/remote/api-http';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { parseFlags } from './parse-flags';

const notEmpty = (unset: string) => z.string().min(1, { message: `must not be empty (${unset})`, abort: true });
const Url = notEmpty('unset it to work on the local registry')
  .max(2000)
  .refine(
    (u) => /^https?:\/\/[^\s/]+(\/\S*)?$/.test(u),
    'must be an http:// or https:// URL, e.g. http://127.0.0.1:8080',
  );
const RemoteFlags = z.object({
  url: Url.optional(),
  token: notEmpty('unset it, or give the secret of a token').max(200).optional(),
});

/** Adds `--url` and `--token` to the root program: every subcommand then talks to that server (remote mode). */
export function addRemoteOptions(program: Command): Command {
  return program
    .option('--url <url>', 'modelctl serve to talk to instead of the local registry (env MODELCTL_URL)')
    .option('--token <secret>', 'API token for --url (env MODELCTL_TOKEN)');
}

/** One environment variable through `schema`. @throws ModelctlError INVALID_INPUT naming the variable */
function parseVariable<T>(schema: z.ZodType<T>, env: NodeJS.ProcessEnv, name: string): T {
  const r = schema.safeParse(env[name]);
  if (r.success) return r.data;
  throw new ModelctlError(ErrorCode.INVALID_INPUT, `invalid ${name}: ${r.error.issues[0]?.message ?? 'invalid'}`);
}

/**
 * The server of remote mode: `--url` / `--token`, else MODELCTL_URL / MODELCTL_TOKEN; null for local mode.
 * @throws ModelctlError INVALID_INPUT for an empty value or a URL that is not http(s), naming the flag or variable
 */
export function remoteTarget(command: Command, env: NodeJS.ProcessEnv = process.env): RemoteTarget | null {
  const flags = command.optsWithGlobals<{ url?: string; token?: string }>();
  const f = parseFlags(RemoteFlags, { url: flags.url, token: flags.token });
  const envUrl = parseVariable(RemoteFlags.shape.url, env, 'MODELCTL_URL');
  const envToken = parseVariable(RemoteFlags.shape.token, env, 'MODELCTL_TOKEN');
  const url = f.url ?? envUrl;
  if (url === undefined) return null;
  return { url, token: f.token ?? envToken ?? null };
}
