import { describe, expect, it } from 'vitest';
import { signAssertion, verifyAssertion } from './gateway-trust.ts';

const SECRET = 'a-secret-shared-by-gateway-and-subgraphs';

describe('gateway assertions', () => {
  it('round-trips the identity it signs', () => {
    const a = signAssertion(SECRET, { userId: 'u1', sessionId: 's1' });
    expect(verifyAssertion(SECRET, a)).toMatchObject({ userId: 'u1', sessionId: 's1' });
  });

  it('carries the client address and user agent', () => {
    const a = signAssertion(SECRET, { userId: null, sessionId: null, clientAddress: '127.0.0.9', userAgent: 'test/1.0' });
    expect(verifyAssertion(SECRET, a)).toEqual({ userId: null, sessionId: null, clientAddress: '127.0.0.9', userAgent: 'test/1.0' });
  });

  it('refuses a missing assertion, another secret and a tampered payload', () => {
    const a = signAssertion(SECRET, { userId: 'u1', sessionId: 's1' });
    expect(verifyAssertion(SECRET, undefined)).toBeUndefined();
    expect(verifyAssertion('another-secret-of-enough-length-here', a)).toBeUndefined();
    const [, mac] = a.split('.');
    const forgedBody = Buffer.from(JSON.stringify({ u: 'admin', s: null, t: Math.floor(Date.now() / 1000) })).toString('base64url');
    expect(verifyAssertion(SECRET, `${forgedBody}.${mac}`)).toBeUndefined();
    expect(verifyAssertion(SECRET, 'garbage')).toBeUndefined();
  });

  it('refuses an assertion older than a minute (no replay later)', () => {
    const now = Date.now();
    const a = signAssertion(SECRET, { userId: 'u1', sessionId: null }, now - 61_000);
    expect(verifyAssertion(SECRET, a, now)).toBeUndefined();
    expect(verifyAssertion(SECRET, signAssertion(SECRET, { userId: null, sessionId: null }, now - 30_000), now)).toMatchObject({ userId: null, sessionId: null });
  });

  it('checks an assertion it verified before again: its secret and its age', () => {
    const now = Date.now();
    const a = signAssertion(SECRET, { userId: 'u2', sessionId: null }, now);
    expect(verifyAssertion(SECRET, a, now)).toMatchObject({ userId: 'u2' });
    expect(verifyAssertion('another-secret-of-enough-length-here', a, now)).toBeUndefined();
    expect(verifyAssertion(SECRET, a, now + 61_000)).toBeUndefined();
    expect(verifyAssertion(SECRET, a, now)).toMatchObject({ userId: 'u2' });
  });

  it('signs one caller once a second, each secret its own', () => {
    const now = 1_800_000_000_500;
    const other = 'another-secret-of-enough-length-here';
    const a = signAssertion(SECRET, { userId: 'u3', sessionId: 's3' }, now);
    const b = signAssertion(other, { userId: 'u3', sessionId: 's3' }, now);
    expect(signAssertion(SECRET, { userId: 'u3', sessionId: 's3' }, now + 400)).toBe(a);
    expect(b).not.toBe(a);
    expect(verifyAssertion(other, b, now)).toMatchObject({ userId: 'u3' });
    expect(verifyAssertion(SECRET, b, now)).toBeUndefined();
    // The next second is a new text, with a new signature.
    const c = signAssertion(SECRET, { userId: 'u3', sessionId: 's3' }, now + 1_000);
    expect(c).not.toBe(a);
    expect(verifyAssertion(SECRET, c, now + 1_000)).toMatchObject({ userId: 'u3', sessionId: 's3' });
  });
});
