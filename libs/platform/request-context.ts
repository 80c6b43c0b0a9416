import { AsyncLocalStorage } from 'node:async_hooks';
import type { Locale } from '@koryu/i18n';
import { DEFAULT_LOCALE } from '@koryu/i18n';

export interface Actor {
  userId: string;
  organisationId: string;
  roles: readonly string[];
  /** An admin of the operator organisation: may manage every organisation and the queues. */
  operator: boolean;
  /** prefecture, municipality, association or operator: which programs the organisation runs. */
  organisationKind?: string;
}

export interface RequestContext {
  requestId: string;
  locale: Locale;
  ip?: string;
  userAgent?: string;
  actor?: Actor;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with a fresh context; the HTTP layer opens one per request. */
export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

export function currentLocale(): Locale {
  return storage.getStore()?.locale ?? DEFAULT_LOCALE;
}

/**
 * The signed-in caller. Repositories scope every query by `requireActor().organisationId`, so a
 * query outside an authenticated request fails closed instead of reading across organisations.
 */
export function requireActor(): Actor {
  const actor = storage.getStore()?.actor;
  if (!actor) throw new Error('No authenticated actor in the request context: tenant-scoped data was read outside a request');
  return actor;
}
