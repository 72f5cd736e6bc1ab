import { z } from 'zod';

/** A decimal number as JSON writes it: no hex (`0x10`), no surrounding spaces, no empty string, no `Infinity`. */
export const NUMBER_LITERAL = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
/** A decimal integer: digits only, so `1e3` or `10.0` is not silently an integer. */
export const INTEGER_LITERAL = /^-?(0|[1-9]\d*)$/;

/** The number `text` spells under {@link NUMBER_LITERAL}, or undefined (never a silent conversion). */
export function strictNumber(text: string): number | undefined {
  if (!NUMBER_LITERAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** A numeric flag or variable: its text must be a decimal number (`0.05`, `-1`, `2e-3`), then `range` applies. */
export function numberText<S extends z.ZodType<number, number>>(range: S) {
  return z
    .string()
    .refine((s) => strictNumber(s) !== undefined, 'must be a decimal number such as 0.05 (no hex, spaces or empty)')
    .transform(Number)
    .pipe(range);
}

/** An integer flag or variable: digits only (`100`, not `1e2`, `0x64`, ` 100` or ''), then `range` applies. */
export function integerText<S extends z.ZodType<number, number>>(range: S) {
  return z
    .string()
    .regex(INTEGER_LITERAL, 'must be a decimal integer such as 100 (no exponent, hex, spaces or empty)')
    .transform(Number)
    .pipe(range);
}
