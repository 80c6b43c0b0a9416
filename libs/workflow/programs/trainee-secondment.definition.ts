import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsDateString, IsIn, IsInt, IsISO6391, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import type { ProgramDefinition } from '../definition';
import { backbone, day, DRAFT, fiscalYearOfDay, int, INTERNAL_REVIEW, isoDay, t, text, violation } from './common';

/**
 * Staff secondments to the Foreign Ministry (外交実務研修員 / 在外行政サービス研修員). Source: seed
 * 001 p.4, p.14: 本省で2年、その後在外公館で2年; 在外行政サービス研修員は本省で3～6か月;
 * 外交実務研修員は原則毎年4月開始, 在外行政サービス研修員は通年受け入れ.
 */
export const TRACKS = ['diplomatic-practice', 'overseas-admin-service'] as const;
export const REGIONS = ['asia', 'europe', 'north-america', 'latin-america', 'middle-east', 'africa', 'oceania'] as const;
const DIPLOMATIC_PRACTICE_HQ_MONTHS = 24;
const OVERSEAS_MONTHS = 24;

export class LanguageDto {
  @IsISO6391() language!: string;
  @IsIn(['basic', 'business', 'fluent', 'native']) level!: 'basic' | 'business' | 'fluent' | 'native';
}

export class TraineeDto {
  @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @IsString() @MinLength(1) @MaxLength(40) employeeNumber!: string;
  @IsString() @MinLength(1) @MaxLength(200) department!: string;
  @IsString() @MinLength(1) @MaxLength(100) position!: string;
  @ValidateNested({ each: true }) @Type(() => LanguageDto) @ArrayMaxSize(10) languages!: LanguageDto[];
}

export class TraineeSecondmentForm {
  @IsIn(TRACKS) track!: (typeof TRACKS)[number];
  @IsObject() @ValidateNested() @Type(() => TraineeDto) trainee!: TraineeDto;
  @IsDateString({ strict: true }) startDate!: string;
  /** diplomatic-practice: 24; overseas-admin-service: 3–6 (HQ_PHASE_OUT_OF_RANGE). */
  @IsInt() @Min(1) @Max(60) hqMonths!: number;
  @IsOptional() @IsInt() @Min(1) @Max(60) overseasMonths?: number;
  @IsIn(REGIONS, { each: true }) @ArrayMinSize(1) @ArrayUnique() preferredRegions!: (typeof REGIONS)[number][];
  @IsString() @MinLength(1) @MaxLength(8000) motivation!: string;
  @IsOptional() @IsString() @MaxLength(200) postName?: string;
}

function hqMonths(data: Record<string, unknown>): number | undefined {
  return text(data, 'track') === 'diplomatic-practice' ? (int(data, 'hqMonths') ?? DIPLOMATIC_PRACTICE_HQ_MONTHS) : int(data, 'hqMonths');
}

/** When the HQ phase ends and the overseas posting begins. */
function hqEnd(data: Record<string, unknown>) {
  const start = day(data, 'startDate');
  const months = hqMonths(data);
  return start && months ? start.plus({ months }) : undefined;
}

function overseasEnd(data: Record<string, unknown>) {
  return hqEnd(data)?.plus({ months: int(data, 'overseasMonths') ?? OVERSEAS_MONTHS });
}

export const TRAINEE_SECONDMENT: ProgramDefinition = {
  key: 'trainee-secondment',
  version: 1,
  title: t('外務省への研修員派遣', 'Trainee secondment to the Foreign Ministry'),
  ownerKinds: ['prefecture', 'municipality'],
  initialState: 'draft',
  states: [
    DRAFT,
    INTERNAL_REVIEW,
    { key: 'approved', title: t('承認済み', 'Approved') },
    { key: 'applied', title: t('人事課へ申請済み', 'Applied') },
    { key: 'accepted', title: t('受入決定', 'Accepted') },
    { key: 'not-accepted', title: t('受入見送り', 'Not accepted'), terminal: true, abandoned: true },
    { key: 'at-headquarters', title: t('本省研修中', 'At headquarters') },
    { key: 'overseas-posting', title: t('在外公館勤務中', 'Overseas posting') },
    { key: 'returned', title: t('帰任', 'Returned') },
    { key: 'report-review', title: t('報告確認', 'Report review') },
    { key: 'closed', title: t('完了', 'Closed'), terminal: true },
    { key: 'withdrawn', title: t('取下げ', 'Withdrawn'), terminal: true, abandoned: true },
  ],
  actions: [
    ...backbone('approved'),
    { key: 'apply', title: t('人事課へ申請', 'Apply to the Ministry'), from: ['approved'], to: 'applied', roles: ['staff'] },
    { key: 'record-acceptance', title: t('受入決定を記録', 'Record acceptance'), from: ['applied'], to: 'accepted', roles: ['staff'] },
    { key: 'record-non-acceptance', title: t('受入見送りを記録', 'Record non-acceptance'), from: ['applied'], to: 'not-accepted', roles: ['staff'] },
    { key: 'begin-secondment', title: t('研修開始', 'Begin the secondment'), from: ['accepted'], to: 'at-headquarters', roles: ['system'] },
    { key: 'begin-overseas-posting', title: t('在外公館勤務開始', 'Begin the overseas posting'), from: ['at-headquarters'], to: 'overseas-posting', roles: ['system', 'manager'], rules: ['POST_NAME_REQUIRED'] },
    // The system ends it when the overseas phase is over; a manager may end it early, saying why.
    { key: 'end-secondment', title: t('研修終了', 'End the secondment'), from: ['overseas-posting'], to: 'returned', roles: ['system', 'manager'], commentRequired: ['manager'] },
    { key: 'submit-report', title: t('報告の提出', 'Submit the report'), from: ['returned'], to: 'report-review', roles: ['staff'] },
    { key: 'approve-report', title: t('報告の承認', 'Approve the report'), from: ['report-review'], to: 'closed', roles: ['manager'] },
    { key: 'withdraw', title: t('取下げ', 'Withdraw'), from: ['draft', 'internal-review', 'approved', 'applied', 'accepted'], to: 'withdrawn', roles: ['staff', 'manager'], commentRequired: true },
  ],
  rules: [
    {
      code: 'START_NOT_APRIL_FIRST',
      fieldRule: true,
      messages: t('外交実務研修員の研修開始日は4月1日です。', 'A diplomatic-practice secondment starts on April 1.'),
      check: ({ data }) => {
        const start = day(data, 'startDate');
        return text(data, 'track') === 'diplomatic-practice' && start && !(start.month === 4 && start.day === 1) ? violation('startDate', 'START_NOT_APRIL_FIRST') : [];
      },
    },
    {
      code: 'HQ_PHASE_OUT_OF_RANGE',
      fieldRule: true,
      messages: t('本省での研修期間は{min}～{max}か月です。', 'The headquarters phase must be {min}–{max} months.'),
      check: ({ data }) => {
        const months = int(data, 'hqMonths');
        if (months === undefined) return [];
        const [min, max] = text(data, 'track') === 'diplomatic-practice' ? [DIPLOMATIC_PRACTICE_HQ_MONTHS, DIPLOMATIC_PRACTICE_HQ_MONTHS] : [3, 6];
        return months < min || months > max ? violation('hqMonths', 'HQ_PHASE_OUT_OF_RANGE', { min, max }) : [];
      },
    },
    {
      code: 'POST_NAME_REQUIRED',
      messages: t('赴任先の在外公館名を入力してください。', 'Enter the overseas post before the posting begins.'),
      check: ({ data }) => (text(data, 'postName') ? [] : violation('postName', 'POST_NAME_REQUIRED')),
    },
  ],
  form: { dto: TraineeSecondmentForm },
  editable: [
    { states: ['draft'], roles: ['staff', 'manager'], fields: '*' },
    { states: ['internal-review'], roles: ['manager'], fields: '*' },
    { states: ['accepted', 'at-headquarters'], roles: ['staff', 'manager'], fields: ['postName'] },
  ],
  timers: [
    { action: 'begin-secondment', whileIn: 'accepted', due: (data) => (text(data, 'startDate') ? { date: text(data, 'startDate') as string, time: '00:00' } : undefined) },
    {
      action: 'begin-overseas-posting',
      whileIn: 'at-headquarters',
      due: (data) => {
        const end = hqEnd(data);
        return end ? { date: isoDay(end), time: '00:00' } : undefined;
      },
    },
    {
      action: 'end-secondment',
      whileIn: 'overseas-posting',
      due: (data) => {
        const end = overseasEnd(data);
        return end ? { date: isoDay(end), time: '00:00' } : undefined;
      },
    },
  ],
  deadlines: [
    {
      key: 'posting-preparation',
      title: t('赴任準備', 'Posting preparation'),
      whileIn: ['at-headquarters'],
      due: (data) => {
        const end = hqEnd(data);
        return end ? { date: isoDay(end.minus({ days: 60 })) } : undefined;
      },
      remindBefore: ['P14D', 'P7D'],
    },
    {
      key: 'return-report',
      title: t('帰任報告', 'Return report'),
      whileIn: ['returned'],
      needs: ['stateEnteredOn'],
      due: (_data, facts) => {
        const returned = typeof facts.stateEnteredOn === 'string' ? day({ on: facts.stateEnteredOn }, 'on') : undefined;
        return returned ? { date: isoDay(returned.plus({ days: 30 })) } : undefined;
      },
      remindBefore: ['P7D', 'P1D'],
    },
  ],
  titleOf: (data) => {
    const trainee = data.trainee as { name?: unknown } | undefined;
    const name = typeof trainee?.name === 'string' ? trainee.name : '';
    const track = text(data, 'track') === 'overseas-admin-service' ? '在外行政サービス研修員' : '外交実務研修員';
    return name ? `${track} ${name}` : track;
  },
  fiscalYearOf: (data) => fiscalYearOfDay(day(data, 'startDate')),
};
