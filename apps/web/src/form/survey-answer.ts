import type { AttendeeLevel, Locale, SurveyAnswer, SurveyResponse, Violation } from '../types';
import { messagesByField } from './server-messages';

/**
 * The participation survey's answer form as typed (the number as its text, so "12a" or "" stay
 * what the user sees), its checks and the body it sends. Pure: the component and the spec share it.
 */
export interface AnswerInput {
  attendance: '' | 'attending' | 'declining';
  attendeeLevel: '' | AttendeeLevel;
  delegationSize: string;
  joinsPromotion: boolean;
}

export const ANSWER_FIELDS = ['attendance', 'attendeeLevel', 'delegationSize', 'joinsPromotion'] as const;
export type AnswerField = (typeof ANSWER_FIELDS)[number];

export const ATTENDANCES = ['attending', 'declining'] as const;
export const ATTENDEE_LEVELS: readonly AttendeeLevel[] = ['governor', 'vice-governor', 'staff'];
/** The API's bounds of a delegation (API.md). */
export const DELEGATION = { min: 1, max: 200 } as const;

export const EMPTY_INPUT: AnswerInput = { attendance: '', attendeeLevel: '', delegationSize: '', joinsPromotion: false };

/** The form filled with the organisation's current answer (empty while it is pending). */
export function inputOf(response: SurveyResponse | undefined): AnswerInput {
  if (!response || (response.status !== 'attending' && response.status !== 'declining')) return EMPTY_INPUT;
  return {
    attendance: response.status,
    attendeeLevel: response.attendeeLevel ?? '',
    delegationSize: response.delegationSize === null ? '' : String(response.delegationSize),
    joinsPromotion: response.joinsPromotion ?? false,
  };
}

export function sameInput(a: AnswerInput, b: AnswerInput): boolean {
  return ANSWER_FIELDS.every((field) => a[field] === b[field]);
}

/** The body to send; a declining answer carries nothing else (the server clears the rest). */
export function answerOf(input: AnswerInput): SurveyAnswer | undefined {
  if (input.attendance === 'declining') return { attendance: 'declining' };
  if (input.attendance !== 'attending') return undefined;
  const size = input.delegationSize.trim();
  return {
    attendance: 'attending',
    ...(input.attendeeLevel ? { attendeeLevel: input.attendeeLevel } : {}),
    ...(size ? { delegationSize: Number(size) } : {}),
    joinsPromotion: input.joinsPromotion,
  };
}

export interface AnswerCheck {
  field: AnswerField;
  /** A `check.*` message of i18n.ts. */
  code: 'choose' | 'required' | 'integer' | 'minimum' | 'maximum';
  params?: Record<string, number>;
}

/** What the server would refuse, said before sending: the choice, and when attending the level and a size in range. */
export function checkAnswer(input: AnswerInput): AnswerCheck[] {
  if (!input.attendance) return [{ field: 'attendance', code: 'choose' }];
  if (input.attendance !== 'attending') return [];
  const checks: AnswerCheck[] = [];
  if (!input.attendeeLevel) checks.push({ field: 'attendeeLevel', code: 'choose' });
  const size = input.delegationSize.trim();
  if (!size) checks.push({ field: 'delegationSize', code: 'required' });
  else if (!/^\d+$/.test(size)) checks.push({ field: 'delegationSize', code: 'integer' });
  else if (Number(size) < DELEGATION.min) checks.push({ field: 'delegationSize', code: 'minimum', params: { min: DELEGATION.min } });
  else if (Number(size) > DELEGATION.max) checks.push({ field: 'delegationSize', code: 'maximum', params: { max: DELEGATION.max } });
  return checks;
}

/** The form field a server violation is about (`delegationSize`, `body.delegationSize`), if it is one. */
export function fieldOf(violation: Violation): AnswerField | undefined {
  const name = violation.field.split('.').at(-1) ?? '';
  return (ANSWER_FIELDS as readonly string[]).includes(name) ? (name as AnswerField) : undefined;
}

/**
 * The server's messages by field (as case-form.tsx words them): a message that starts with the
 * field's key (`delegationSize は 1 以上…`) names the field by its title instead.
 */
export function serverMessages(violations: readonly Violation[], title: (field: AnswerField) => string, locale: Locale): { byField: Map<AnswerField, string[]>; other: string[] } {
  return messagesByField(violations, fieldOf, title, locale);
}
