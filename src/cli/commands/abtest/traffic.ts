import type { Command } from 'commander';
import { ErrorCode, ModelctlError } from '../../../domain/errors';
import { JSON_LIMITS, parseJsonText } from '../../../domain/json-text';
import { strictNumber } from '../../../domain/strict-number';
import { readInputText } from '../../../client/input-file';
import type { Outcome } from '../../../client/ab-test-traffic';
import { action } from '../../action';
import { withRegistry } from '../../with-registry';

/**
 * Reads outcomes from a file: JSON (an array of {unitId, value}) or JSON Lines (one object a line), or
 * `unitId,value` CSV lines; the limits of every JSON input apply. Shapes are checked by recordOutcomes.
 * @throws ModelctlError NOT_FOUND (no such file), INVALID_INPUT naming the line
 */
export async function readOutcomes(file: string): Promise<Outcome[]> {
  const what = `--file ${file}`;
  const text = await readInputText(file, what);
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return parseJsonText(trimmed, what, JSON_LIMITS.fileBytes) as Outcome[];
  return trimmed.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    if (line.trim().startsWith('{')) return [parseJsonText(line, `${what}: line ${i + 1}`) as Outcome];
    const [unitId, value, ...rest] = line.split(',');
    if (!unitId || value === undefined || rest.length > 0 || strictNumber(value.trim()) === undefined) {
      throw new ModelctlError(
        ErrorCode.INVALID_INPUT,
        `invalid ${what}: line ${i + 1}: expected unitId,value or a JSON object`,
      );
    }
    return [{ unitId: unitId.trim(), value: Number(value) }];
  });
}

export function registerAbTestTraffic(abtest: Command): void {
  abtest
    .command('assign <id> <unitIds...>')
    .description('which arm and version serve each unit (deterministic hash of the test salt and the unit id)')
    .addHelpText('after', '\nExample:\n  $ modelctl abtest assign digits-exp user-1 user-2 --json')
    .action(
      action(
        async (id: string, unitIds: string[], _raw: unknown, command: Command) =>
          withRegistry(command, (r) => r.assignUnits(id, unitIds)),
        (rows) =>
          [
            // A test that has ended splits nothing any more: say so before the rows, which all name the serving version.
            ...(rows[0]?.ended
              ? [
                  `A/B test has ended (${rows[0].testStatus}): every unit gets ${rows[0].version}, the version that serves now`,
                ]
              : []),
            ...rows.map((a) => `${a.unitId}\t${a.arm}\t${a.version}\tbucket ${a.bucket}`),
          ].join('\n'),
      ),
    );
  abtest
    .command('record <id> [outcomes...]')
    .description('record outcomes (unitId=value, or --file) of a running test into the registry')
    .option('--file <path>', 'outcomes as JSON, JSON Lines or unitId,value lines')
    .addHelpText(
      'after',
      '\nExamples:\n  $ modelctl abtest record digits-exp user-1=1 user-2=0\n  $ modelctl abtest record digits-exp --file outcomes.jsonl',
    )
    .action(
      action(
        async (id: string, pairs: string[], raw: { file?: string }, command: Command) => {
          const outcomes: Outcome[] = raw.file !== undefined ? await readOutcomes(raw.file) : [];
          for (const pair of pairs) {
            const at = pair.lastIndexOf('=');
            const value = strictNumber(pair.slice(at + 1));
            if (at <= 0 || value === undefined) {
              throw new ModelctlError(
                ErrorCode.INVALID_INPUT,
                `invalid outcome ${JSON.stringify(pair)}: expected unitId=value, e.g. user-1=1`,
              );
            }
            outcomes.push({ unitId: pair.slice(0, at), value });
          }
          return withRegistry(command, (r) => r.recordOutcomes(id, outcomes));
        },
        (r) =>
          `recorded ${r.recorded} outcome${r.recorded === 1 ? '' : 's'} (control ${r.control}, treatment ${r.treatment})`,
      ),
    );
}
