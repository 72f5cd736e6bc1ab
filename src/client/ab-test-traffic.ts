import { z } from 'zod';
import type { AbTestParsed, AbTestStatus, AbTestVerdict } from '../domain/ab-test';
import { ErrorCode, ModelctlError, parseInput } from '../domain/errors';
import { createAssigner } from '../stats/assignment';
import { analyzeRecordedOutcomes } from '../stats/recorded-outcomes';
import { plannedWindowOutcomes } from '../store/ab-test-runs';
import { requireAbTest as requireTest, requireAbTestRecord } from '../store/lookups';
import type { AbTestRecord, RegistryStore } from '../store/registry-store';

/** One observed outcome: the unit and its metric value (0/1 for a binary metric). */
export const Outcome = z
  .object({ unitId: z.string().min(1).max(500), value: z.number().refine(Number.isFinite, 'must be finite') })
  .strict();
export type Outcome = z.infer<typeof Outcome>;

/** A test in one of these states no longer splits traffic: every unit gets the version that serves now. */
const ENDED_STATUSES: readonly string[] = ['COMPLETED', 'STOPPED', 'ABORTED'];

/**
 * The serving side of an A/B test: which arm (and so which model version) serves each unit. Deterministic:
 * the test's salt and split decide, through the frozen hash of src/stats/assignment.ts. Once the test has ended
 * (COMPLETED, STOPPED, ABORTED) every unit gets the version that serves now: the model's production version (the
 * control after an abort or a lost test, the winner once promoted), or the control when the model has none;
 * `arm` stays the unit's arm in the test and `ended` says that the split is over.
 * @returns per unit: arm, bucket (0..9999), the version to serve, the test's status and whether it has ended.
 */
export async function assignUnits(store: RegistryStore, id: string, unitIds: string[]): Promise<UnitAssignmentRow[]> {
  const fixed = await fixedPart(store, id);
  const status = await currentStatus(store, id, fixed);
  const ended = ENDED_STATUSES.includes(status);
  const serving = ended ? ((await store.productionVersion(fixed.model))?.version ?? fixed.control) : null;
  return unitIds.map((unitId) => {
    const { arm, bucket } = fixed.assigner(unitId);
    const version = serving ?? (arm === 'control' ? fixed.control : fixed.treatment);
    return { unitId, arm, bucket, version, testStatus: status, ended };
  });
}

/** One unit's assignment (see {@link assignUnits}). */
export interface UnitAssignmentRow {
  unitId: string;
  arm: 'control' | 'treatment';
  bucket: number;
  version: string;
  testStatus: AbTestStatus;
  ended: boolean;
}

/** What of an A/B test never changes once it is created: its model, arms, salt and split, and its definition. */
interface FixedTestPart {
  model: string;
  control: string;
  treatment: string;
  definition: AbTestParsed;
  assigner: (unitId: string) => { arm: 'control' | 'treatment'; bucket: number };
  /** The status as last read, with the store's change stamp it was read under (see {@link currentStatus}). */
  status?: { stamp: string; value: AbTestStatus };
}

/** Most tests whose fixed part one store's cache keeps (the oldest entry goes first). */
const FIXED_PART_CACHE_SIZE = 1_000;
const fixedParts = new WeakMap<RegistryStore, Map<string, FixedTestPart>>();

/**
 * The fixed part of test `id`, read once per store and kept: salt, split and arms cannot change after creation and a
 * test is never deleted, so every replica may keep its own copy. Assignment, the serving hot path, then reads
 * nothing; the test's status, which does change, is never cached.
 * @throws ModelctlError NOT_FOUND (not cached), INVALID_INPUT when the stored definition does not parse
 */
async function fixedPart(store: RegistryStore, id: string): Promise<FixedTestPart> {
  let cache = fixedParts.get(store);
  if (cache === undefined) fixedParts.set(store, (cache = new Map()));
  const cached = cache.get(id);
  if (cached !== undefined) return cached;
  const { test, definition } = await requireTest(store, id);
  const part: FixedTestPart = {
    model: test.model,
    control: test.control,
    treatment: test.treatment,
    definition,
    assigner: createAssigner(test.salt, test.split),
  };
  if (cache.size >= FIXED_PART_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(id, part);
  return part;
}

/**
 * The status of test `id` now. The status does change (the workflow starts and ends the test), so the value read is
 * used only while the store's change stamp is the one it was read under: an update of any A/B test changes the stamp
 * (exactly on SQLite and for this process's writes, within a second for another PostgreSQL replica's; see
 * src/store/change-stamp.ts), and the next call reads the row again. A test that ends thus stops assigning to its
 * treatment on the next request.
 * @throws ModelctlError NOT_FOUND
 */
async function currentStatus(store: RegistryStore, id: string, fixed: FixedTestPart): Promise<AbTestStatus> {
  // Taken before the read, so an update landing during the read leaves the entry already stale.
  const stamp = store.changeStamp?.();
  if (stamp !== undefined && fixed.status?.stamp === stamp) return fixed.status.value;
  const value = (await requireAbTestRecord(store, id)).status;
  if (stamp !== undefined) fixed.status = { stamp, value };
  return value;
}

/** The model A/B test `id` compares (kept with its fixed part). @throws ModelctlError NOT_FOUND */
export async function abTestModel(store: RegistryStore, id: string): Promise<string> {
  return (await fixedPart(store, id)).model;
}

/**
 * Records outcomes of a running test into the store (never into workflow history). Each unit's arm is recomputed
 * from the assignment hash, so a caller cannot file an outcome under the wrong arm; recording a unit again in a later
 * batch replaces its value (the last batch wins; the unit is counted once). Binary metrics accept only 0 and 1.
 * @throws NOT_FOUND, REFUSED (test not running), INVALID_INPUT naming the offending outcome (a unit named twice in
 *   one batch included: which value it meant is unknowable, and nothing of the batch is recorded)
 */
export async function recordOutcomes(
  store: RegistryStore,
  id: string,
  outcomes: Outcome[],
): Promise<{ recorded: number; control: number; treatment: number }> {
  return recordValidOutcomes(store, id, validateOutcomes(outcomes));
}

/**
 * {@link recordOutcomes} of a batch its caller parsed already with an array of {@link Outcome} of at least one (the
 * HTTP route's body schema): the units named twice are still refused, the shapes are not parsed a second time.
 */
export function recordParsedOutcomes(
  store: RegistryStore,
  id: string,
  parsed: Outcome[],
): Promise<{ recorded: number; control: number; treatment: number }> {
  refuseRepeatedUnits(parsed);
  return recordValidOutcomes(store, id, parsed);
}

async function recordValidOutcomes(
  store: RegistryStore,
  id: string,
  parsed: Outcome[],
): Promise<{ recorded: number; control: number; treatment: number }> {
  const fixed = await fixedPart(store, id);
  const { definition, assigner } = fixed;
  const status = await currentStatus(store, id, fixed);
  if (status !== 'RUNNING')
    throw new ModelctlError(ErrorCode.REFUSED, `A/B test ${id} is ${status}; outcomes are recorded only while it runs`);
  if (definition.metric.kind === 'binary') {
    const bad = parsed.findIndex((o) => o.value !== 0 && o.value !== 1);
    if (bad >= 0)
      throw new ModelctlError(
        ErrorCode.INVALID_INPUT,
        `invalid outcomes: ${bad}.value: the metric ${definition.metric.name} is binary, so values must be 0 or 1 (got ${parsed[bad]!.value})`,
      );
  }
  const counts = { control: 0, treatment: 0 };
  const rows = parsed.map((o) => {
    const { arm } = assigner(o.unitId);
    counts[arm] += 1;
    return { unitId: o.unitId, arm, value: o.value };
  });
  const recorded = await store.recordOutcomes(id, rows);
  return { recorded, ...counts };
}

// Built once: a zod schema compiles its fast path on first use, which costs more than a batch's parse.
const OutcomeBatch = z.array(Outcome).min(1, 'give at least one outcome');

/**
 * Checks a batch of outcomes as {@link recordOutcomes} does before it reads the test: shapes, at least one, and each
 * unit named once. @throws ModelctlError INVALID_INPUT naming the offending outcome
 */
export function validateOutcomes(outcomes: Outcome[]): Outcome[] {
  const parsed = parseInput(OutcomeBatch, outcomes, 'outcomes');
  refuseRepeatedUnits(parsed);
  return parsed;
}

function refuseRepeatedUnits(outcomes: readonly Outcome[]): void {
  const first = new Map<string, number>();
  outcomes.forEach((o, i) => {
    const seen = first.get(o.unitId);
    if (seen !== undefined) {
      throw new ModelctlError(
        ErrorCode.INVALID_INPUT,
        `invalid outcomes: ${i}.unitId: unit ${JSON.stringify(o.unitId)} is also outcome ${seen}; a batch names each unit once`,
      );
    }
    first.set(o.unitId, i);
  });
}

/**
 * Interim analysis of the outcomes recorded so far in the planned window (what the final analysis will read), with
 * always-valid p-values (safe to look at any time).
 */
export async function interimAnalysis(
  store: RegistryStore,
  id: string,
): Promise<{ test: AbTestRecord; verdict: AbTestVerdict }> {
  const { test, definition } = await requireTest(store, id);
  return {
    test,
    verdict: analyzeRecordedOutcomes(definition, await plannedWindowOutcomes(store, test, definition), true),
  };
}
