import {
  LOGIN_CODE_TTL_MS,
  MAX_ENTRIES,
  SESSION_TTL_MS,
  UiSessions,
  csrfMatches,
} from '../../../src/api/dashboard/ui-sessions';

describe('dashboard login codes and sessions', () => {
  let nowMs: number;
  let sessions: UiSessions;
  beforeEach(() => {
    nowMs = Date.parse('2026-01-01T00:00:00.000Z');
    sessions = new UiSessions(() => new Date(nowMs));
  });

  test('a code opens one session acting as its token, and works once', () => {
    const { code, expiresAt } = sessions.issueCode('alice');
    expect(expiresAt).toBe('2026-01-01T00:01:00.000Z');
    const opened = sessions.redeem(code);
    expect(opened?.session).toMatchObject({ tokenName: 'alice', expiresAt: '2026-01-01T12:00:00.000Z' });
    expect(opened?.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(opened?.session.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessions.find(opened!.id)).toEqual(opened!.session);
    expect(sessions.redeem(code)).toBeNull();
  });

  test('a code expires after a minute and a session after twelve hours', () => {
    const late = sessions.issueCode('alice');
    nowMs += LOGIN_CODE_TTL_MS;
    expect(sessions.redeem(late.code)).toBeNull();
    const opened = sessions.redeem(sessions.issueCode('bob').code)!;
    nowMs += SESSION_TTL_MS - 1;
    expect(sessions.find(opened.id)?.tokenName).toBe('bob');
    nowMs += 1;
    expect(sessions.find(opened.id)).toBeNull();
  });

  test('logout ends a session; an unknown id finds nothing', () => {
    const opened = sessions.redeem(sessions.issueCode('alice').code)!;
    sessions.end(opened.id);
    expect(sessions.find(opened.id)).toBeNull();
    expect(sessions.find('not-a-session')).toBeNull();
  });

  test('the CSRF token must be echoed exactly', () => {
    const { session } = sessions.redeem(sessions.issueCode('alice').code)!;
    expect(csrfMatches(session, session.csrfToken)).toBe(true);
    expect(csrfMatches(session, `${session.csrfToken}x`)).toBe(false);
    expect(csrfMatches(session, '')).toBe(false);
    expect(csrfMatches(session, undefined)).toBe(false);
  });

  test('at most MAX_ENTRIES codes are kept: the oldest are dropped first', () => {
    const first = sessions.issueCode('alice');
    for (let i = 0; i < MAX_ENTRIES; i++) sessions.issueCode('flood');
    const last = sessions.issueCode('bob');
    expect(sessions.redeem(first.code)).toBeNull();
    expect(sessions.redeem(last.code)?.session.tokenName).toBe('bob');
  });
});
