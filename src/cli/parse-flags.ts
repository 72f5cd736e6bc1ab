import { z } from 'zod';
import { ErrorCode, ModelctlError } from '../domain/errors';
import { strictNumber } from '../domain/strict-number';

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
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
  const parts = r.error.issues.map((issue) => {
    const [head, ...rest] = issue.path.map(String);
    if (head === undefined) return `invalid input: ${issue.message}`;
    const label = args.includes(head) ? `<${kebab(head)}>` : `--${kebab(head)}`;
    return `invalid ${label}: ${rest.length > 0 ? `${rest.join('.')}: ` : ''}${issue.message}`;
  });
  throw new ModelctlError(ErrorCode.INVALID_INPUT, [...new Set(parts)].join('; '));
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
