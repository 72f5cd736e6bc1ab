import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { requestLoginUrl, type LoginUrl } from '../../client/dashboard-login';
import { ErrorCode, ModelctlError } from '../../domain/errors';
import { action } from '../action';
import { configFrom } from '../config-options';
import { parseFlags } from '../parse-flags';

/** Where `modelctl ui` logs in when neither --url nor MODELCTL_URL says otherwise: `modelctl serve`'s default. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

const ServerUrl = z
  .string()
  .max(2048)
  .refine((v) => /^https?:\/\/[^/\s]+(\/\S*)?$/.test(v), 'must be an http:// or https:// URL of a modelctl server');
const UiFlags = z
  .object({
    url: ServerUrl.default(DEFAULT_SERVER_URL),
    printUrl: z.boolean().default(false),
  })
  .strict();

/** The token to log in with: MODELCTL_TOKEN, else the admin token the first `modelctl serve` wrote under the home. */
function tokenFor(command: Command): string {
  const fromEnv = process.env.MODELCTL_TOKEN;
  if (fromEnv !== undefined) {
    if (fromEnv === '' || fromEnv.length > 200)
      throw new ModelctlError(
        ErrorCode.INVALID_INPUT,
        "invalid MODELCTL_TOKEN: must be a token of 1–200 characters (unset it for the home's admin-token)",
      );
    return fromEnv;
  }
  const file = join(configFrom(command).home, 'admin-token');
  if (!existsSync(file))
    throw new ModelctlError(
      ErrorCode.INVALID_INPUT,
      `no token: set MODELCTL_TOKEN, or run modelctl serve once on this home so that ${file} exists`,
    );
  return readFileSync(file, 'utf8').trim();
}

/** Opens `url` in the desktop's browser; false when there is none to start (a server, a container). */
function openBrowser(url: string): Promise<boolean> {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  return new Promise((resolve) => {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

/** `modelctl ui [--url <server>] [--print-url]`: a one-time dashboard login URL for the token, opened or printed. */
export function registerUi(program: Command): void {
  program
    .command('ui')
    .description('log in to the dashboard of modelctl serve: opens (or prints) a one-time login URL valid 60 s')
    .option('--url <server>', `the server (env MODELCTL_URL, default ${DEFAULT_SERVER_URL})`)
    .option('--print-url', 'print the URL instead of opening a browser')
    .addHelpText(
      'after',
      "\nThe session acts as the token (env MODELCTL_TOKEN, default the home's admin-token).\n" +
        'Examples:\n  $ modelctl ui\n  $ MODELCTL_TOKEN=mct_… modelctl ui --url https://models.example.com --print-url',
    )
    .action(
      action(
        async (raw: { url?: string; printUrl?: boolean }, command: Command) => {
          const f = parseFlags(UiFlags, {
            // The program-wide --url (remote mode) may claim the flag before this command sees it.
            url: raw.url ?? (command.optsWithGlobals() as { url?: string }).url ?? process.env.MODELCTL_URL,
            printUrl: raw.printUrl ?? false,
          });
          const login = await requestLoginUrl(f.url, tokenFor(command));
          const opened = f.printUrl ? false : await openBrowser(login.url);
          return { ...login, opened };
        },
        (r: LoginUrl & { opened: boolean }) =>
          r.opened ? `opened the dashboard login (valid until ${r.expiresAt}): ${r.url}` : r.url,
      ),
    );
}
