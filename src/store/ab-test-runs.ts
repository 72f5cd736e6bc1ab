import {
  abTestArmRefusal,
  abTestPlannedEnd,
  type ArmAggregate,
  AbTestInput,
  type AbTestParsed,
  type AbTestResult,
  type AbTestStatus,
} from '../domain/ab-test';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import { requireAbTestRecord, requireVersion } from './lookups';
import type { AbTestRecord, RegistryStore } from './registry-store';

/** The start of one abTest run: its test id, definition, workflow id and start time. */
export interface AbTestStart {
  id: string;
  definition: AbTestParsed;
  workflowId: string;
  startedAt: string;
}

/**
 * Records the test of an abTest run as RUNNING, after the start checks: both versions exist and passed validation,
 * no running test of the model compares the same pair. Idempotent per run: a retry of this run's own start (same
 * workflow id, same definition, test not ended) returns the RUNNING record, finishing a start a crash interrupted.
 * @returns the RUNNING record (its salt is the assignment salt)
 * @throws ModelctlError NOT_FOUND (a version), REFUSED (a version FAILED or TRAINING), CONFLICT (id used by another
 *   workflow or another definition, the pair already under test), ALREADY_EXISTS (the id of an ended test)
 */
export async function claimAbTestStart(store: RegistryStore, start: AbTestStart): Promise<AbTestRecord> {
  const { id, workflowId, startedAt } = start;
  const def = parseInput(AbTestInput, start.definition, 'abTest definition');
  const existing = await store.getAbTest(id);
  if (existing !== null) {
    if (existing.workflowId !== workflowId) {
      throw new ModelctlError(
        ErrorCode.CONFLICT,
        `A/B test id ${id} is already used by workflow ${existing.workflowId ?? '(none)'}`,
      );
    }
    // Temporal lets a new run reuse the workflow id of a test once the old run has closed: that is a new test, and
    // its id is taken. Only a retry of this run's own start (same definition, test not ended) goes on.
    if (existing.status !== 'SCHEDULED' && existing.status !== 'RUNNING') {
      throw new ModelctlError(
        ErrorCode.ALREADY_EXISTS,
        `A/B test ${id} already exists (${existing.status}); A/B test ids are not reused: choose another id`,
        { testId: id },
      );
    }
    if (JSON.stringify(existing.definition) !== JSON.stringify(def)) {
      throw new ModelctlError(
        ErrorCode.CONFLICT,
        `A/B test ${id} already exists with another definition (${existing.model} ${existing.control} vs ${existing.treatment}); choose another id`,
        { testId: id },
      );
    }
    // A retry after a crash between the writes below finishes what the first attempt started.
    return existing.status === 'SCHEDULED'
      ? await store.updateAbTest(id, { status: 'RUNNING', startedAt, workflowId })
      : existing;
  }
  for (const version of [def.control, def.treatment]) {
    const refusal = abTestArmRefusal(await requireVersion(store, def.model, version));
    if (refusal !== null) throw new ModelctlError(ErrorCode.REFUSED, refusal);
  }
  const running = (await store.listAbTests(def.model)).filter((t) => t.status === 'RUNNING');
  const clash = running.find(
    (t) => [t.control, t.treatment].sort().join() === [def.control, def.treatment].sort().join(),
  );
  if (clash)
    throw new ModelctlError(
      ErrorCode.CONFLICT,
      `A/B test ${clash.id} of ${def.model} ${clash.control} vs ${clash.treatment} is already running`,
    );
  await store.createAbTest({
    id,
    name: def.name ?? id,
    model: def.model,
    control: def.control,
    treatment: def.treatment,
    split: def.split,
    salt: id,
    definition: JSON.parse(JSON.stringify(def)),
    workflowId,
  });
  return store.updateAbTest(id, { status: 'RUNNING', startedAt, workflowId });
}

/**
 * Records the final status and result of a test, once: a retry after the first attempt committed finds the status
 * already set and changes nothing. @returns the ended record. @throws ModelctlError NOT_FOUND
 */
export async function recordAbTestEnd(
  store: RegistryStore,
  id: string,
  status: AbTestStatus,
  result: AbTestResult,
): Promise<AbTestRecord> {
  const test = await requireAbTestRecord(store, id);
  return test.status === status ? test : store.updateAbTest(id, { status, result, endedAt: new Date().toISOString() });
}

/**
 * The per-arm aggregates of the outcomes in test `test`'s planned window: those recorded at or before its planned
 * end (start + duration). Outcomes recorded later (the workflow's timer fired late because no worker ran) are kept
 * but never analysed, so the decision does not depend on how late the analysis runs.
 */
export async function plannedWindowOutcomes(
  store: RegistryStore,
  test: AbTestRecord,
  definition: AbTestParsed,
): Promise<{ control: ArmAggregate; treatment: ArmAggregate }> {
  const recordedUntil = abTestPlannedEnd(test.startedAt, definition.duration);
  return store.aggregateOutcomes(test.id, recordedUntil === null ? {} : { recordedUntil });
}
