// The desk's session cookie and the live-event mapping, without a server.
import { describe, expect, it } from 'vitest';
import { SessionSigner, cookie, readCookie, sessionSecret } from '../../src/desk/session.ts';
import { eventTypeOf } from '../../src/desk/events.ts';

const at = new Date('2023-04-20T02:00:00Z');

describe('desk session cookie', () => {
  const signer = new SessionSigner(sessionSecret('secret-a', 'cli_x'));

  it('verifies its own signature until the expiry, for the right kind only', () => {
    const value = signer.sign({ sub: 'ou_1', name: '李成英', exp: at.getTime() + 1000, kind: 'session' });
    expect(signer.verify(value, 'session', at)?.sub).toBe('ou_1');
    expect(signer.verify(value, 'state', at)).toBeNull();
    expect(signer.verify(value, 'session', new Date(at.getTime() + 1000))).toBeNull();
  });

  it('refuses another key, a changed payload, and garbage', () => {
    const value = signer.sign({ sub: 'ou_1', name: 'x', exp: at.getTime() + 1000, kind: 'session' });
    expect(new SessionSigner(sessionSecret('secret-b', 'cli_x')).verify(value, 'session', at)).toBeNull();
    const [, sig] = value.split('.');
    const forged = `${Buffer.from(JSON.stringify({ sub: 'ou_2', name: 'x', exp: at.getTime() + 1000, kind: 'session' })).toString('base64url')}.${sig}`;
    expect(signer.verify(forged, 'session', at)).toBeNull();
    for (const bad of [undefined, '', 'a', 'a.b.c', '.', 'x.']) expect(signer.verify(bad, 'session', at)).toBeNull();
  });

  it('writes HttpOnly, SameSite=Lax cookies under /desk and reads them back', () => {
    const c = cookie('desk_session', 'v=1', { maxAgeMs: 8 * 3600_000, secure: true });
    expect(c).toBe('desk_session=v%3D1; Path=/desk; Max-Age=28800; HttpOnly; SameSite=Lax; Secure');
    expect(readCookie('a=1; desk_session=v%3D1', 'desk_session')).toBe('v=1');
    expect(readCookie(undefined, 'desk_session')).toBeUndefined();
  });
});

describe('desk live events', () => {
  it('maps audited actions to the page that shows them', () => {
    expect(eventTypeOf('submission.submit')).toBe('submission');
    expect(eventTypeOf('submit')).toBe('submission');
    expect(eventTypeOf('review.return')).toBe('review');
    expect(eventTypeOf('schedule.move')).toBe('schedule');
    expect(eventTypeOf('summary.photo_add')).toBe('summary');
    expect(eventTypeOf('evaluation.score')).toBe('evaluation');
    expect(eventTypeOf('directory.import')).toBe('units');
    expect(eventTypeOf('desk.login')).toBeNull();
  });
});
