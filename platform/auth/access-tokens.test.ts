import { describe, expect, it } from 'vitest';
import { generateSigningKey, TokenSigner, TokenVerifier } from './access-tokens.ts';

describe('access tokens', () => {
  it('verifies a token signed with the published key set', async () => {
    const signer = await TokenSigner.fromPem(generateSigningKey(), 60);
    const { token } = await signer.sign({ sub: 'user-1', sid: 'session-1' });
    const claims = await new TokenVerifier(signer.jwks).verify(token);
    expect(claims).toMatchObject({ sub: 'user-1', sid: 'session-1' });
    expect(JSON.stringify(signer.jwks)).not.toContain('"d"');
  });

  it('refuses tokens from another key, tampered tokens and expired tokens', async () => {
    const signer = await TokenSigner.fromPem(generateSigningKey(), 60);
    const other = await TokenSigner.fromPem(generateSigningKey(), 60);
    const verifier = new TokenVerifier(signer.jwks);
    expect(await verifier.verify((await other.sign({ sub: 'u', sid: 's' })).token)).toBeUndefined();
    const { token } = await signer.sign({ sub: 'u', sid: 's' });
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'admin' })).toString('base64url')}.${s}`;
    expect(await verifier.verify(tampered)).toBeUndefined();
    const expired = await TokenSigner.fromPem(generateSigningKey(), -120);
    expect(await new TokenVerifier(expired.jwks).verify((await expired.sign({ sub: 'u', sid: 's' })).token)).toBeUndefined();
  });

  it('remembers a verified token until it expires, and never a refused one', async () => {
    const signer = await TokenSigner.fromPem(generateSigningKey(), 2);
    const verifier = new TokenVerifier(signer.jwks);
    const { token } = await signer.sign({ sub: 'u', sid: 's' });
    const first = await verifier.verify(token);
    expect(await verifier.verify(token)).toBe(first);
    const [h, p, sig] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sid: 'other' })).toString('base64url')}.${sig}`;
    expect(await verifier.verify(forged)).toBeUndefined();
    expect(await verifier.verify(forged)).toBeUndefined();
    // Once past `exp` the remembered answer is gone too.
    const realNow = Date.now;
    Date.now = () => (first!.exp + 1) * 1000;
    try {
      expect(await verifier.verify(token)).toBeUndefined();
    } finally {
      Date.now = realNow;
    }
  });
});
