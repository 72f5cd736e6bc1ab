import { z } from 'zod';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { strictNumber } from '../domain/strict-number';

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * The one line for a failed parse of a command's input: each issue names the flag as typed (`--bump`) or the
 * argument (`<model>`), then the path inside it and the rule. `labels` maps a dotted path prefix of the parsed
 * object to its label on the command line (`{ toVersion: '--to', 'gates.thresholds': '--gate' }`); the longest
 * matching prefix wins, and a field without one is named `--<kebab-case field>`.
 */
function flagError(error: z.ZodError, labels: Readonly<Record<string, string>>): ModelctlError {
  const parts = error.issues.map((issue) => {
    const path = issue.path.map(String);
    if (path.length === 0) return `invalid input: ${issue.message}`;
    let depth = path.length;
    while (depth > 0 && labels[path.slice(0, depth).join('.')] === undefined) depth -= 1;
    const label = depth > 0 ? labels[path.slice(0, depth).join('.')]! : `--${kebab(path[0]!)}`;
    const rest = path.slice(Math.max(depth, 1));
    return `invalid ${label}: ${rest.length > 0 ? `${rest.join('.')}: ` : ''}${issue.message}`;
  });
  return new ModelctlError(ErrorCode.INVALID_INPUT, [...new Set(parts)].join('; '));
}

/**
 * Parses a command's flags and arguments with one zod schema. Each error names the flag as typed (`--bump`,
 * `--git-dir`) or, for keys listed in `args`, the argument (`<model>`), then the path inside it and the rule:
 * `invalid --bump: must be one of major, minor, patch`; `invalid --metrics: loss: expected a finite number`.
 * @throws ModelctlError INVALID_INPUT, one line for all issues
 */
export function parseFlags<S extends z.ZodType>(
  schema: S,
  values: Record<string, unknown>,
  args: readonly string[] = [],
): z.output<S> {
  const r = schema.safeParse(values);
  if (r.success) return r.data;
  throw flagError(r.error, Object.fromEntries(args.map((a) => [a, `<${kebab(a)}>`])));
}

/**
 * Checks a library input built from a command's flags (a workflow input such as `RollbackInput`) before anything
 * starts, so its errors name the flags the user typed rather than the library's field names:
 * `parseFlagsAs(RollbackInput, input, { model: '<model>', toVersion: '--to' })` →
 * `invalid --to: must be a semantic version like 1.4.2`. The library parses the input again; this only words it.
 * @throws ModelctlError INVALID_INPUT, one line for all issues
 */
export function parseFlagsAs<S extends z.ZodType>(
  schema: S,
  input: z.input<S>,
  labels: Readonly<Record<string, string>>,
): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw flagError(r.error, labels);
}

/** A `key=value` pair with a finite number value, as `--metric accuracy=0.93` or `experiment log … loss=0.2`. */
export const NumericPair = z.string().transform((s, ctx) => {
  const eq = s.indexOf('=');
  const key = s.slice(0, eq).trim();
  const text = s.slice(eq + 1);
  const value = strictNumber(text);
  if (eq <= 0 || key === '') {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(s)} must be key=value` });
    return z.NEVER;
  }
  if (value === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(s)}: value must be a finite decimal number such as 0.93`,
    });
    return z.NEVER;
  }
  return { key, value };
});

/** Commander collector for a repeatable flag: `--metric a=1 --metric b=2` gives `['a=1', 'b=2']`. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
