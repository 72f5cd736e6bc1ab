import { auditPlan, replay, versionName } from '../../../bench/lib/audit-plan';

describe('the dashboard benchmark’s seeded history', () => {
  test('10,000 versions and exactly 50,000 events, every move legal, one version in production', () => {
    const plan = auditPlan(10_000, 50_000);
    const { versions, events } = replay(plan, '2024-01-01T00:00:00.000Z', 600_000);
    expect(events).toHaveLength(50_000);
    expect(versions.size).toBe(10_000);
    const counts = (op: string) => plan.filter((p) => p.op === op).length;
    expect([counts('register'), counts('promote'), counts('rollback'), counts('fail')]).toEqual([
      10_000, 9_999, 10_001, 1,
    ]);
    const statuses = [...versions.values()].map((v) => v.status);
    expect(statuses.filter((s) => s === 'PRODUCTION')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'FAILED')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'DEPRECATED')).toHaveLength(9_998);
    expect(versions.get(versionName(9_999))!.status).toBe('FAILED');
    // Production entries are the stints of the timeline: one per promotion and rollback.
    expect(events.filter((e) => e.toStatus === 'PRODUCTION')).toHaveLength(20_000);
    expect(events[events.length - 1]).toMatchObject({
      version: '1.99.99',
      fromStatus: 'VALIDATION',
      toStatus: 'FAILED',
    });
  });

  test('a small plan, in order: the swap writes the old version’s exit before the new one’s entry', () => {
    const { events } = replay(auditPlan(3, 11), '2024-01-01T00:00:00.000Z', 1_000);
    expect(events.map((e) => [e.version, e.fromStatus, e.toStatus, e.via])).toEqual([
      ['1.0.0', null, 'VALIDATION', 'DIRECT'],
      ['1.0.1', null, 'VALIDATION', 'DIRECT'],
      ['1.0.2', null, 'VALIDATION', 'DIRECT'],
      ['1.0.0', 'VALIDATION', 'PRODUCTION', 'PROMOTION'],
      ['1.0.0', 'PRODUCTION', 'DEPRECATED', 'PROMOTION'],
      ['1.0.1', 'VALIDATION', 'PRODUCTION', 'PROMOTION'],
      ['1.0.1', 'PRODUCTION', 'DEPRECATED', 'ROLLBACK'],
      ['1.0.0', 'DEPRECATED', 'PRODUCTION', 'ROLLBACK'],
      ['1.0.0', 'PRODUCTION', 'DEPRECATED', 'ROLLBACK'],
      ['1.0.1', 'DEPRECATED', 'PRODUCTION', 'ROLLBACK'],
      ['1.0.2', 'VALIDATION', 'FAILED', 'DIRECT'],
    ]);
  });

  test('an event count the operations cannot reach is refused with the counts that work', () => {
    expect(() => auditPlan(10, 29)).toThrow('events must be 28 + an even number for 10 versions, got 29');
  });
});
