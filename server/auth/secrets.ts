/** Makes and hashes the secrets Scrapedeck hands out (bearer tokens, runner keys, single-use export links); only hashes are stored. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type SecretKind = 'token' | 'runner' | 'exportTicket';

const PREFIX: Record<SecretKind, string> = { token: 'sdt_', runner: 'sdr_', exportTicket: 'sdx_' };

/** 256 random bits; the prefix tells a leaked secret's kind at a glance (and to secret scanners). */
export function generateSecret(kind: SecretKind): string {
  return PREFIX[kind] + randomBytes(32).toString('base64url');
}

/** A fast hash is enough: the secrets are random, so there is nothing to brute-force from it. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
