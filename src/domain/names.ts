import { z } from 'zod';

/** Model names after NFC normalisation (docs/architecture.md, "Domain"). */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;

/**
 * A model name: NFC-normalised, then checked. Surrounding whitespace, path separators, `..` and colons
 * are rejected with a message that says which rule failed (they would escape the artifact layout,
 * Git tag names or Temporal workflow ids).
 */
export const ModelName = z
  .string({ error: 'expected a string' })
  .transform((s) => s.normalize('NFC'))
  .superRefine((s, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (s.length === 0) return fail('must not be empty');
    if (s.trim() !== s) return fail('must not start or end with whitespace');
    if (s.includes('/') || s.includes('\\')) return fail('must not contain path separators (/ or \\)');
    if (s.includes('..')) return fail("must not contain '..'");
    if (s.includes(':')) return fail('must not contain colons');
    if (!MODEL_NAME_PATTERN.test(s)) {
      return fail(
        `must match ${MODEL_NAME_PATTERN.source} (lowercase letters, digits, '.', '_', '-'; at most 128 characters)`,
      );
    }
  });
export type ModelName = z.infer<typeof ModelName>;

/** A non-empty, trimmed free-text identifier of a person or system (audit trail "actor"). */
export const Actor = z.string().trim().min(1, 'must not be empty').max(200);
export type Actor = z.infer<typeof Actor>;

/**
 * Optional free text of an audited action (a reason, an approval's comment): trimmed, at most 2,000 characters, and
 * absent rather than empty, so that an empty or blank value, usually a quoting mistake, is refused instead of being
 * recorded as a reason that says nothing.
 */
export const AuditNote = z.string().trim().min(1, 'must not be empty or blank (leave it out for none)').max(2000);
