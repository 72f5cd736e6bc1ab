import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ErrorCode, ModelctlError } from '../../../domain/errors';
import { assignUnits, recordOutcomes, type Outcome } from '../../../client/ab-test-traffic';
import { action } from '../../action';
import { withRegistry } from '../../with-registry';

/**
 * Reads outcomes from a file: JSON (an array of {unitId, value}) or JSON Lines (one object a line), or
 * `unitId,value` CSV lines. @throws INVALID_INPUT naming the line
 */
export async function readOutcomes(file: string): Promise<Outcome[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ModelctlError(
      ErrorCode.NOT_FOUND,
      `cannot read --file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as Outcome[];
    } catch (err) {
      throw new ModelctlError(
        ErrorCode.INVALID_INPUT,
        `invalid --file ${file}: malformed JSON: ${(err as Error).message}`,
      );
    }
  }
  return trimmed
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      if (line.trim().startsWith('{')) {
        try {
          return JSON.parse(line) as Outcome;
        } catch (err) {
          throw new ModelctlError(
            ErrorCode.INVALID_INPUT,
            `invalid --file ${file} line ${i + 1}: malformed JSON: ${(err as Error).message}`,
          );
        }
      }
      const [unitId, value, ...rest] = line.split(',');
      if (!unitId || value === undefined || rest.length > 0 || value.trim() === '' || !Number.isFinite(Number(value))) {
        throw new ModelctlError(
          ErrorCode.INVALID_INPUT,
          `invalid --file ${file} line ${i + 1}: expected unitId,value or a JSON object`,
        );
      }
      return { unitId: unitId.trim(), value: Number(value) };
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
          withRegistry(command, (r) => assignUnits(r.store, id, unitIds)),
        (rows) => rows.map((a) => `${a.unitId}\t${a.arm}\t${a.version}\tbucket ${a.bucket}`).join('\n'),
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
            const value = Number(pair.slice(at + 1));
            if (at <= 0 || pair.slice(at + 1).trim() === '' || !Number.isFinite(value)) {
              throw new ModelctlError(
                ErrorCode.INVALID_INPUT,
                `invalid outcome ${JSON.stringify(pair)}: expected unitId=value, e.g. user-1=1`,
              );
            }
            outcomes.push({ unitId: pair.slice(0, at), value });
          }
          return withRegistry(command, (r) => recordOutcomes(r.store, id, outcomes));
        },
        (r) =>
          `recorded ${r.recorded} outcome${r.recorded === 1 ? '' : 's'} (control ${r.control}, treatment ${r.treatment})`,
      ),
    );
}
