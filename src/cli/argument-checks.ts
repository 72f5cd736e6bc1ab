import type { Command } from 'commander';
import { z } from 'zod';
import { AbTestId } from '../domain/ab-test';
import { ModelName } from '../domain/names';
import { SemVer } from '../domain/semver';
import { ScheduleId } from '../client/ab-test-schedules';
import { parseFlags } from './parse-flags';

/**
 * Schemas of positional arguments by name, the same for every command that has one. Checked before any command's
 * action runs, so that a bad `<model>` is refused before the registry is opened or Temporal is connected (a query of
 * `guard status 'BAD NAME'` used to wait for Temporal first).
 */
const BY_NAME: Record<string, z.ZodType> = {
  model: ModelName,
  control: SemVer,
  treatment: SemVer,
  scheduleId: ScheduleId,
};

/** `<id>` of the `abtest` commands is a test id (the `experiment` commands' ids are checked by the registry). */
function schemaOf(command: Command, name: string): z.ZodType | undefined {
  if (name === 'id' && command.parent?.name() === 'abtest') return AbTestId;
  // A plain `<version>` beside a `<model>`; elsewhere `<version>` is a `<model>@<version>` reference.
  if (name === 'version' && command.registeredArguments.some((a) => a.name() === 'model')) return SemVer;
  return BY_NAME[name];
}

/**
 * Checks the positional arguments of `command` that have a schema by name (see {@link BY_NAME}).
 * @throws ModelctlError INVALID_INPUT naming the argument, e.g. `invalid <model>: must not be empty`
 */
export function checkArguments(command: Command): void {
  const shape: Record<string, z.ZodType> = {};
  const values: Record<string, unknown> = {};
  command.registeredArguments.forEach((arg, i) => {
    const schema = schemaOf(command, arg.name());
    const value: unknown = command.processedArgs[i];
    if (schema === undefined || value === undefined || arg.variadic) return;
    shape[arg.name()] = schema;
    values[arg.name()] = value;
  });
  if (Object.keys(shape).length > 0) parseFlags(z.object(shape), values, Object.keys(shape));
}
