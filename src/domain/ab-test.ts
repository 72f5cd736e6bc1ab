/** Status of an A/B test (DESIGN.md §3). */
export const AbTestStatus = {
  SCHEDULED: 'SCHEDULED',
  RUNNING: 'RUNNING',
  COMPLETED: 'COMPLETED',
  STOPPED: 'STOPPED',
  ABORTED: 'ABORTED',
} as const;
export type AbTestStatus = (typeof AbTestStatus)[keyof typeof AbTestStatus];
