/**
 * Playback tokens: an HMAC over the track id and an expiry, so the stream route can
 * serve playlists without a database look-up and a leaked URL stops working on its own.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export class StreamTokens {
  readonly #key: Buffer;

  constructor(secret: string) {
    // A key of its own, derived from the deployment secret.
    this.#key = createHmac('sha256', secret).update('veza stream tokens v1').digest();
  }

  sign(trackId: string, expiresAt: Date): string {
    const exp = Math.floor(expiresAt.getTime() / 1000);
    return `${exp}.${this.#mac(trackId, exp)}`;
  }

  verify(trackId: string, token: string | null, now = Date.now()): boolean {
    if (!token) return false;
    const [expRaw, mac] = token.split('.');
    const exp = Number(expRaw);
    if (!Number.isInteger(exp) || !mac || exp * 1000 < now) return false;
    const given = Buffer.from(mac, 'base64url');
    const expected = Buffer.from(this.#mac(trackId, exp), 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  #mac(trackId: string, exp: number): string {
    return createHmac('sha256', this.#key).update(`${trackId}.${exp}`).digest('base64url');
  }
}
