// class-transformer's @Type in the program forms reads design-time types.
import 'reflect-metadata';
import { DateTime } from 'luxon';
import { TOKYO } from '@koryu/calendar';
import type { ActionDefinition, Localized, RuleParam, RuleViolation, StateDefinition } from '../definition';

// Pieces every program shares (DOMAIN.md "Cross-cutting rules"): the draft → internal-review
// backbone, dates read in Tokyo time (TOKYO from @koryu/calendar), and small readers of untyped
// case data.

export const t = (ja: string, en: string): Localized => ({ ja, en });

export const DRAFT: StateDefinition = { key: 'draft', title: t('下書き', 'Draft') };
export const INTERNAL_REVIEW: StateDefinition = { key: 'internal-review', title: t('課内確認', 'Internal review') };

/** submit (staff) → internal-review; a manager approves (to `approveTo`) or returns with a comment. */
export function backbone(approveTo: string, submitTo = 'internal-review'): ActionDefinition[] {
  return [
    { key: 'submit', title: t('提出', 'Submit'), from: ['draft'], to: submitTo, roles: ['staff'] },
    { key: 'approve', title: t('承認', 'Approve'), from: [submitTo], to: approveTo, roles: ['manager'] },
    { key: 'return', title: t('差戻し', 'Return'), from: [submitTo], to: 'draft', roles: ['manager'], commentRequired: true },
  ];
}

export function text(data: Record<string, unknown>, field: string): string | undefined {
  const value = data[field];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

export function int(data: Record<string, unknown>, field: string): number | undefined {
  const value = data[field];
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

export function list(data: Record<string, unknown>, field: string): unknown[] {
  const value = data[field];
  return Array.isArray(value) ? value : [];
}

/** A `YYYY-MM-DD` field as a Tokyo calendar day. */
export function day(data: Record<string, unknown>, field: string): DateTime | undefined {
  const value = text(data, field);
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const parsed = DateTime.fromISO(value, { zone: TOKYO });
  return parsed.isValid ? parsed : undefined;
}

export function isoDay(value: DateTime): string {
  return value.toISODate() as string;
}

/** Today in Tokyo. */
export function today(now: Date): DateTime {
  return DateTime.fromJSDate(now, { zone: TOKYO }).startOf('day');
}

export function violation(field: string, code: string, params?: Record<string, RuleParam>): RuleViolation[] {
  return [{ field, code, ...(params ? { params } : {}) }];
}

/** End before start: one violation on the end field. */
export function rangeViolation(data: Record<string, unknown>, startField: string, endField: string, code: string): RuleViolation[] {
  const start = day(data, startField);
  const end = day(data, endField);
  return start && end && end < start ? violation(endField, code, { start: startField }) : [];
}

/** The fiscal year (April–March) a Tokyo day falls in. */
export function fiscalYearOfDay(value: DateTime | undefined): number | undefined {
  if (!value) return undefined;
  return value.month >= 4 ? value.year : value.year - 1;
}
