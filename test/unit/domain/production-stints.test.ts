import type { LifecycleEvent } from '../../../src/domain/model-version';
import { productionStints } from '../../../src/domain/production-stints';

let nextId = 1;
function event(
  version: string,
  fromStatus: LifecycleEvent['fromStatus'],
  toStatus: LifecycleEvent['toStatus'],
  at: string,
  extra: Partial<LifecycleEvent> = {},
): LifecycleEvent {
  return {
    id: nextId++,
    model: 'fraud',
    version,
    fromStatus,
    toStatus,
    via: 'DIRECT',
    actor: 'ci',
    reason: null,
    workflowId: null,
    approval: null,
    at,
    ...extra,
  };
}

describe('production stints from audit events', () => {
  test('promotion, swap and rollback give one stint each, the last one open', () => {
    const events = [
      event('1.0.0', null, 'VALIDATION', '2026-01-01T00:00:00.000Z'),
      event('1.0.0', 'VALIDATION', 'PRODUCTION', '2026-01-02T00:00:00.000Z', {
        via: 'PROMOTION',
        actor: 'alice',
        workflowId: 'promote-fraud',
      }),
      event('1.1.0', null, 'VALIDATION', '2026-01-03T00:00:00.000Z'),
      event('1.0.0', 'PRODUCTION', 'DEPRECATED', '2026-01-04T00:00:00.000Z', { via: 'PROMOTION' }),
      event('1.1.0', 'VALIDATION', 'PRODUCTION', '2026-01-04T00:00:00.000Z', { via: 'PROMOTION', actor: 'bob' }),
      event('1.1.0', 'PRODUCTION', 'DEPRECATED', '2026-01-05T00:00:00.000Z', { via: 'ROLLBACK' }),
      event('1.0.0', 'DEPRECATED', 'PRODUCTION', '2026-01-05T00:00:00.000Z', {
        via: 'ROLLBACK',
        actor: 'oncall',
        reason: 'latency',
      }),
    ];
    expect(productionStints(events)).toEqual([
      {
        version: '1.0.0',
        from: '2026-01-02T00:00:00.000Z',
        to: '2026-01-04T00:00:00.000Z',
        actor: 'alice',
        reason: null,
        via: 'PROMOTION',
        workflowId: 'promote-fraud',
      },
      {
        version: '1.1.0',
        from: '2026-01-04T00:00:00.000Z',
        to: '2026-01-05T00:00:00.000Z',
        actor: 'bob',
        reason: null,
        via: 'PROMOTION',
        workflowId: null,
      },
      {
        version: '1.0.0',
        from: '2026-01-05T00:00:00.000Z',
        to: null,
        actor: 'oncall',
        reason: 'latency',
        via: 'ROLLBACK',
        workflowId: null,
      },
    ]);
  });

  test('a model that never served has no stints; a deprecated production closes its stint', () => {
    expect(productionStints([event('1.0.0', null, 'VALIDATION', '2026-01-01T00:00:00.000Z')])).toEqual([]);
    const stints = productionStints([
      event('1.0.0', 'VALIDATION', 'PRODUCTION', '2026-01-01T00:00:00.000Z'),
      event('1.0.0', 'PRODUCTION', 'DEPRECATED', '2026-01-02T00:00:00.000Z'),
    ]);
    expect(stints.map((s) => [s.version, s.to])).toEqual([['1.0.0', '2026-01-02T00:00:00.000Z']]);
  });
});
