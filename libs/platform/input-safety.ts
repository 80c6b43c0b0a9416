import type { Violation } from '@koryu/domain';

/** Property names that could pollute prototypes (nest #16050: `constructor` slipped through). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 32;

/**
 * PostgreSQL cannot store NUL (`invalid byte sequence 0x00`) or an unpaired surrogate (jsonb
 * rejects it), so such text must be a 400 naming the field, not a database 500.
 */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Walks a parsed JSON body (or query) and reports forbidden keys, unstorable strings and
 * excessive nesting, before any class is instantiated from it.
 */
export function findUnsafeInput(value: unknown, path = '', depth = 0): Violation | undefined {
  if (depth > MAX_DEPTH) return { field: path || 'body', code: 'nestedValidation' };
  if (typeof value === 'string') return UNSTORABLE.test(value) ? { field: path || 'body', code: 'isSafeText' } : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnsafeInput(value[i], path ? `${path}.${i}` : String(i), depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const field = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return { field, code: 'forbiddenKey' };
    if (UNSTORABLE.test(key)) return { field, code: 'isSafeText' };
    const found = findUnsafeInput((value as Record<string, unknown>)[key], field, depth + 1);
    if (found) return found;
  }
  return undefined;
}
