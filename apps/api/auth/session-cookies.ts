import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The web UI may authenticate with an httpOnly cookie instead of the bearer header (API.md).
 * In production the cookie carries the `__Host-` prefix (Secure, Path=/, no Domain: ASVS 3.3.3);
 * on http://localhost a Secure cookie would not be sent back, so development drops the prefix.
 * A cookie-authenticated request that changes state must echo the CSRF cookie in X-CSRF-Token
 * (double submit); bearer requests need no CSRF token because browsers never add that header.
 */
export function cookieNames(production: boolean) {
  return production ? { session: '__Host-koryu_session', csrf: '__Host-koryu_csrf' } : { session: 'koryu_session', csrf: 'koryu_csrf' };
}

export const CSRF_HEADER = 'x-csrf-token';

export function setSessionCookies(reply: FastifyReply, token: string, maxAgeSeconds: number, production: boolean): void {
  const names = cookieNames(production);
  const common = { path: '/', secure: production, sameSite: 'strict' as const, maxAge: maxAgeSeconds };
  void reply.setCookie(names.session, token, { ...common, httpOnly: true });
  void reply.setCookie(names.csrf, randomBytes(24).toString('base64url'), { ...common, httpOnly: false });
}

export function clearSessionCookies(reply: FastifyReply, production: boolean): void {
  const names = cookieNames(production);
  void reply.clearCookie(names.session, { path: '/', secure: production, httpOnly: true, sameSite: 'strict' });
  void reply.clearCookie(names.csrf, { path: '/', secure: production, sameSite: 'strict' });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfSatisfied(request: FastifyRequest, production: boolean): boolean {
  if (SAFE_METHODS.has(request.method)) return true;
  const expected = request.cookies?.[cookieNames(production).csrf];
  const given = request.headers[CSRF_HEADER];
  if (!expected || typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
