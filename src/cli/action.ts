import { CommanderError } from 'commander';
import { isError, isModelctlError } from '../domain/errors';
import { fromSystemError } from '../domain/system-errors';
import { ExitCode, exitCodeFor } from './exit-codes';

/** Options every subcommand accepts. */
export interface GlobalOptions {
  json?: boolean;
}

/**
 * Wraps a subcommand body: on success prints `human(result)` or, with --json, the result as JSON;
 * on failure prints one line `modelctl: <message>` to stderr and sets the exit code from the error code.
 * A stack trace is printed only for unexpected errors and only with MODELCTL_DEBUG=1.
 * `warningsOf` names what went wrong on the side of a success (a best-effort Git push or W&B note): in text mode each
 * is one stderr line `modelctl: warning: …`, since the human output has no place for them; --json carries them in the
 * result. The exit code stays 0.
 */
export function action<A extends unknown[], R>(
  body: (...args: A) => Promise<R>,
  human: (result: R) => string,
  warningsOf?: (result: R) => readonly string[],
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const command = args[args.length - 1] as { optsWithGlobals?: () => GlobalOptions } | undefined;
    const json = Boolean(command?.optsWithGlobals?.().json);
    try {
      const result = await body(...args);
      const text = json ? JSON.stringify(result, null, 2) : human(result);
      if (text.length > 0) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      if (!json) for (const w of warningsOf?.(result) ?? []) printWarning(w);
      process.exitCode = ExitCode.OK;
    } catch (err) {
      reportError(err);
    }
  };
}

/** Prints one line for `err` and sets process.exitCode accordingly. */
export function reportError(thrown: unknown): void {
  if (thrown instanceof CommanderError) {
    process.exitCode = thrown.exitCode === 0 ? ExitCode.OK : ExitCode.INVALID_INPUT;
    return;
  }
  // A full disk or a denied permission below any layer is still one line with its own code, not "unexpected".
  const err = isModelctlError(thrown) ? thrown : (fromSystemError(thrown) ?? thrown);
  if (isModelctlError(err)) {
    process.stderr.write(`modelctl: ${oneLine(err.message)}\n`);
    process.exitCode = exitCodeFor(err.code);
    return;
  }
  const message = isError(err) ? err.message : String(err);
  process.stderr.write(`modelctl: unexpected error: ${oneLine(message.split('\n')[0]!)}\n`);
  if (process.env.MODELCTL_DEBUG === '1' && isError(err) && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exitCode = ExitCode.UNEXPECTED;
}

/**
 * `message` as one line: a value the user typed is echoed in messages, and its line breaks or other control
 * characters would break the one-line contract (or rewrite the terminal), so they are shown escaped (`\n`, `\u0007`).
 */
export function oneLine(message: string): string {
  return message.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/** Prints `text` as one stderr line `modelctl: warning: …`; a multi-line cause (Git's own message) is joined up. */
export function printWarning(text: string): void {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
  process.stderr.write(`modelctl: warning: ${line}\n`);
}
