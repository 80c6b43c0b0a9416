import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsDateString,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { warekiFiscalYear } from '@koryu/calendar';
import type { ProgramDefinition } from '../definition';
import { backbone, day, DRAFT, isoDay, list, rangeViolation, t, text, violation } from './common';

/**
 * International governors' conferences (知事会議), run by the governors' association secretariat.
 * Source: seed 003 (全国知事会「国際交流のあり方検討ワーキングチーム」報告): a concrete theme of
 * mutual benefit, 同一年に1～2カ国, 成果を示すべき, 知事団によるプロモーション.
 */
export const FISCAL_YEAR_CONFERENCE_LIMIT = 2;
/** Conferences counted against the limit: every state an approval leads to. */
export const APPROVED_CONFERENCE_STATES = ['planning', 'survey-open', 'preparing', 'held', 'outcome-report', 'closed'] as const;
/** What an invited prefecture may read of a conference. */
export const CONFERENCE_PUBLIC_FIELDS = ['counterpartCountry', 'counterpartBody', 'fiscalYear', 'format', 'hostSide', 'hostPrefecture', 'city', 'startDate', 'endDate', 'themes', 'purpose', 'surveyDeadline'];

export class OutcomeDto {
  @IsString() @MinLength(1) @MaxLength(200) title!: string;
  @IsString() @MinLength(1) @MaxLength(4000) description!: string;
}

export class GovernorConferenceForm {
  /** ISO 3166-1 alpha-2 (KR, US, CN, RU, FR, VN, IN …) or ASEAN. */
  @Matches(/^([A-Z]{2}|ASEAN)$/) counterpartCountry!: string;
  @IsString() @MinLength(1) @MaxLength(200) counterpartBody!: string;
  @IsInt() @Min(2000) @Max(2100) fiscalYear!: number;
  @IsIn(['in-person', 'online', 'hybrid']) format!: 'in-person' | 'online' | 'hybrid';
  @IsIn(['japan', 'counterpart']) hostSide!: 'japan' | 'counterpart';
  @IsOptional() @IsString() @MaxLength(20) hostPrefecture?: string;
  @IsOptional() @IsString() @MaxLength(100) city?: string;
  @IsDateString({ strict: true }) startDate!: string;
  @IsDateString({ strict: true }) endDate!: string;
  /** THEME_REQUIRED checks themes, purpose and expectedOutcomes on submit. */
  @IsOptional() @IsString({ each: true }) @MaxLength(200, { each: true }) @ArrayMaxSize(20) themes?: string[];
  @IsOptional() @IsString() @MaxLength(8000) purpose?: string;
  @IsOptional() @IsString() @MaxLength(8000) expectedOutcomes?: string;
  @IsOptional() @IsString() @MaxLength(8000) promotionPlan?: string;
  /** Organisation ids; empty: every prefecture when the survey opens. */
  @IsOptional() @IsUUID('all', { each: true }) @ArrayUnique() @ArrayMaxSize(2000) invitedOrganisations?: string[];
  @IsOptional() @IsISO8601({ strict: true }) surveyDeadline?: string;
  @IsOptional() @ValidateNested({ each: true }) @Type(() => OutcomeDto) @ArrayMaxSize(100) outcomes?: OutcomeDto[];
}

const BEFORE_HELD = ['draft', 'policy-review', 'on-hold', 'planning', 'survey-open', 'preparing'];

export const GOVERNOR_CONFERENCE: ProgramDefinition = {
  key: 'governor-conference',
  version: 1,
  title: t('知事会議', "Governors' conference"),
  ownerKinds: ['association'],
  initialState: 'draft',
  states: [
    DRAFT,
    { key: 'policy-review', title: t('方針確認', 'Policy review') },
    { key: 'on-hold', title: t('保留', 'On hold') },
    { key: 'planning', title: t('企画中', 'Planning') },
    { key: 'survey-open', title: t('参加意向調査中', 'Survey open') },
    { key: 'preparing', title: t('準備中', 'Preparing') },
    { key: 'held', title: t('開催済み', 'Held') },
    { key: 'outcome-report', title: t('成果報告', 'Outcome report') },
    { key: 'closed', title: t('完了', 'Closed'), terminal: true },
    { key: 'cancelled', title: t('中止', 'Cancelled'), terminal: true, abandoned: true },
  ],
  actions: [
    ...backbone('planning', 'policy-review').map((a) => (a.key === 'approve' ? { ...a, rules: ['FISCAL_YEAR_LIMIT'] } : a)),
    { key: 'defer', title: t('保留（当面様子を見る）', 'Defer'), from: ['policy-review'], to: 'on-hold', roles: ['manager'], commentRequired: true },
    { key: 'resume', title: t('再検討', 'Resume'), from: ['on-hold'], to: 'policy-review', roles: ['staff', 'manager'] },
    { key: 'open-survey', title: t('参加意向調査を開始', 'Open the survey'), from: ['planning'], to: 'survey-open', roles: ['staff'], rules: ['SURVEY_DEADLINE_NOT_FUTURE'], effects: ['survey.open'] },
    { key: 'close-survey', title: t('参加意向調査を締切', 'Close the survey'), from: ['survey-open'], to: 'preparing', roles: ['staff', 'system'], effects: ['survey.close'] },
    { key: 'mark-held', title: t('開催済みにする', 'Mark as held'), from: ['preparing'], to: 'held', roles: ['system', 'staff'] },
    { key: 'start-outcome-report', title: t('成果報告の作成', 'Start the outcome report'), from: ['held'], to: 'outcome-report', roles: ['staff'] },
    { key: 'close', title: t('完了', 'Close'), from: ['outcome-report'], to: 'closed', roles: ['manager'], rules: ['OUTCOMES_REQUIRED'] },
    { key: 'cancel', title: t('中止', 'Cancel'), from: BEFORE_HELD, to: 'cancelled', roles: ['staff', 'manager'], commentRequired: true },
  ],
  rules: [
    {
      code: 'THEME_REQUIRED',
      fieldRule: true,
      messages: t('具体的なテーマ（1件以上）、目的、期待される成果を入力してください。', 'Enter at least one concrete theme, the purpose and the expected outcomes.'),
      check: ({ data }) => [
        ...(list(data, 'themes').some((theme) => typeof theme === 'string' && theme.trim()) ? [] : violation('themes', 'THEME_REQUIRED')),
        ...(text(data, 'purpose') ? [] : violation('purpose', 'THEME_REQUIRED')),
        ...(text(data, 'expectedOutcomes') ? [] : violation('expectedOutcomes', 'THEME_REQUIRED')),
      ],
    },
    {
      code: 'DATE_RANGE_INVALID',
      fieldRule: true,
      messages: t('終了日は開始日以降にしてください。', 'The end date must not be before the start date.'),
      check: ({ data }) => rangeViolation(data, 'startDate', 'endDate', 'DATE_RANGE_INVALID'),
    },
    {
      code: 'FISCAL_YEAR_LIMIT',
      overridable: true,
      needs: ['approvedConferencesThisFiscalYear'],
      // Two simultaneous approvals count under one lock, so they cannot both slip under the limit.
      lockKey: ({ data, organisationId }) => `governor-conference:${organisationId}:${String(data.fiscalYear)}`,
      messages: t('{wareki}の知事会議は既に{count}件承認されています（上限{limit}件）。3件目は理由を添えて承認してください。', '{count} conferences are already approved for FY{fiscalYear} (limit {limit}); approve another only with a reason.'),
      check: ({ data, facts }) => {
        const count = Number(facts.approvedConferencesThisFiscalYear ?? 0);
        if (count < FISCAL_YEAR_CONFERENCE_LIMIT) return [];
        const fiscalYear = typeof data.fiscalYear === 'number' ? data.fiscalYear : undefined;
        return violation('fiscalYear', 'FISCAL_YEAR_LIMIT', { count, limit: FISCAL_YEAR_CONFERENCE_LIMIT, fiscalYear: String(fiscalYear ?? '-'), wareki: fiscalYear ? warekiFiscalYear(fiscalYear) : '今年度' });
      },
    },
    {
      code: 'SURVEY_DEADLINE_NOT_FUTURE',
      messages: t('回答期限は現在より後の日時にしてください。', 'The survey deadline must be in the future.'),
      check: ({ data, now }) => {
        const deadline = text(data, 'surveyDeadline');
        return deadline && new Date(deadline) > now ? [] : violation('surveyDeadline', 'SURVEY_DEADLINE_NOT_FUTURE');
      },
    },
    {
      code: 'OUTCOMES_REQUIRED',
      messages: t('具体的な成果を1件以上記録してください。', 'Record at least one concrete outcome.'),
      check: ({ data }) => (list(data, 'outcomes').length > 0 ? [] : violation('outcomes', 'OUTCOMES_REQUIRED')),
    },
  ],
  form: { dto: GovernorConferenceForm },
  editable: [
    { states: ['draft'], roles: ['staff', 'manager'], fields: '*' },
    { states: ['policy-review'], roles: ['manager'], fields: '*' },
    { states: ['planning'], roles: ['staff', 'manager'], fields: ['invitedOrganisations', 'surveyDeadline', 'city', 'hostPrefecture', 'startDate', 'endDate', 'promotionPlan', 'format'] },
    { states: ['preparing'], roles: ['staff', 'manager'], fields: ['city', 'startDate', 'endDate', 'promotionPlan', 'format'] },
    { states: ['outcome-report'], roles: ['staff', 'manager'], fields: ['outcomes'] },
  ],
  timers: [
    { action: 'close-survey', whileIn: 'survey-open', due: (data) => (text(data, 'surveyDeadline') ? { instant: new Date(text(data, 'surveyDeadline') as string).toISOString() } : undefined) },
    {
      action: 'mark-held',
      whileIn: 'preparing',
      due: (data) => {
        const end = day(data, 'endDate');
        return end ? { date: isoDay(end.plus({ days: 1 })), time: '09:00' } : undefined;
      },
    },
  ],
  deadlines: [
    {
      key: 'survey-deadline',
      title: t('参加意向調査の回答期限', 'Survey deadline'),
      whileIn: ['survey-open'],
      due: (data) => (text(data, 'surveyDeadline') ? { instant: new Date(text(data, 'surveyDeadline') as string).toISOString() } : undefined),
      remindBefore: ['P7D', 'P1D'],
      // DOMAIN.md: reminders go to non-responders only, and stop for an organisation once it answers.
      audience: 'pending-invitees',
    },
  ],
  invitations: { field: 'invitedOrganisations', publicFields: CONFERENCE_PUBLIC_FIELDS },
  titleOf: (data) => {
    const body = text(data, 'counterpartBody');
    return body ? `${body}との知事会議` : '';
  },
  fiscalYearOf: (data) => (typeof data.fiscalYear === 'number' ? data.fiscalYear : undefined),
};
