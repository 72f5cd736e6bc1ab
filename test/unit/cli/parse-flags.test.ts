import { z } from 'zod';
import { ErrorCode, ModelctlError } from '../../../src/domain/errors';
import { PromoteModelInput } from '../../../src/domain/promotion';
import { RollbackInput } from '../../../src/domain/rollback';
import { parseFlags, parseFlagsAs } from '../../../src/cli/parse-flags';

function messageOf(fn: () => unknown): [string, string] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ModelctlError) return [err.code, err.message];
    throw err;
  }
  throw new Error('expected a ModelctlError');
}

describe('parseFlags', () => {
  const Flags = z.object({ model: z.string().min(1, 'must not be empty'), bumpKind: z.enum(['major', 'minor']) });

  test('names a flag as typed and an argument in angle brackets, one line for all issues', () => {
    expect(messageOf(() => parseFlags(Flags, { model: '', bumpKind: 'x' }, ['model']))).toEqual([
      ErrorCode.INVALID_INPUT,
      'invalid <model>: must not be empty; invalid --bump-kind: Invalid option: expected one of "major"|"minor"',
    ]);
  });

  test('returns the parsed values', () => {
    expect(parseFlags(Flags, { model: 'm', bumpKind: 'minor' })).toEqual({ model: 'm', bumpKind: 'minor' });
  });
});

describe('parseFlagsAs', () => {
  test("a library input's fields are named by the flags they came from", () => {
    expect(
      messageOf(() =>
        parseFlagsAs(
          RollbackInput,
          { model: 'Bad Name', toVersion: '1.x', reason: ' ', actor: 'a' },
          { model: '<model>', toVersion: '--to' },
        ),
      ),
    ).toEqual([
      ErrorCode.INVALID_INPUT,
      "invalid <model>: must match ^[a-z0-9][a-z0-9._-]{0,127}$ (lowercase letters, digits, '.', '_', '-'; at most 128 characters); " +
        'invalid --to: must be a semantic version like 1.4.2 (MAJOR.MINOR.PATCH[-prerelease]); ' +
        'invalid --reason: a rollback needs a reason',
    ]);
  });

  test('the longest labelled prefix wins and the path below it is kept', () => {
    const input = {
      model: 'm',
      version: '1.0.0',
      actor: 'a',
      gates: { thresholds: [{ metric: 'acc', op: '>=' as const, value: Number.NaN }], tolerance: -1 },
      requireApproval: { timeout: '0s' },
    };
    const [, message] = messageOf(() =>
      parseFlagsAs(PromoteModelInput, input, {
        gates: '--gates',
        'gates.thresholds': '--gate',
        requireApproval: '--require-approval',
      }),
    );
    expect(message.split('; ')).toEqual([
      'invalid --gate: 0.value: Invalid input: expected number, received NaN',
      'invalid --gates: tolerance: must not be negative',
      'invalid --require-approval: timeout: must be a positive duration',
    ]);
  });

  test('valid input comes back parsed, with the defaults of the schema', () => {
    expect(parseFlagsAs(RollbackInput, { model: 'm', reason: ' why ', actor: 'a' }, {})).toEqual({
      model: 'm',
      reason: 'why',
      actor: 'a',
    });
  });
});
