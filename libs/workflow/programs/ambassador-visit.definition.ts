import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsDateString,
  IsEmail,
  IsIn,
  IsInt,
  IsISO31661Alpha2,
  IsMilitaryTime,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { ProgramDefinition } from '../definition';
import { backbone, day, DRAFT, fiscalYearOfDay, INTERNAL_REVIEW, isoDay, list, rangeViolation, t, text, today, violation } from './common';

/**
 * Ambassador / consul-general visits to the region (大使・総領事の地方訪問). Source: seed 001 p.3,
 * p.11 (在外公館長が一時帰国の際に地方を訪問, 年に60～70件; the Rwanda ambassador's visit to
 * Hachimantai). The Ministry's 地方連携推進室 needs the request well ahead: the lead time is a
 * policy of the organisation (default 30 days), read as the `visitLeadTimeDays` fact.
 */
export const VISIT_PURPOSES = ['exchange-of-views', 'lecture', 'site-visit', 'media-interview', 'sister-city', 'business'] as const;
export const DEFAULT_VISIT_LEAD_TIME_DAYS = 30;

export class ItineraryItemDto {
  @IsDateString({ strict: true }) date!: string;
  @IsOptional() @IsMilitaryTime() time?: string;
  @IsString() @MinLength(1) @MaxLength(200) place!: string;
  @IsString() @MinLength(1) @MaxLength(500) activity!: string;
}

export class HostContactDto {
  @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @IsString() @MinLength(1) @MaxLength(200) department!: string;
  @IsString() @MaxLength(40) phone!: string;
  @IsEmail() email!: string;
}

export class AmbassadorVisitForm {
  @IsIn(['ambassador', 'consul-general']) envoyKind!: 'ambassador' | 'consul-general';
  @IsISO31661Alpha2() postCountry!: string;
  @IsString() @MinLength(1) @MaxLength(200) postName!: string;
  @IsOptional() @IsString() @MaxLength(100) envoyName?: string;
  @IsIn(VISIT_PURPOSES, { each: true }) @ArrayMinSize(1) @ArrayUnique() purposes!: (typeof VISIT_PURPOSES)[number][];
  @IsDateString({ strict: true }) preferredStart!: string;
  @IsDateString({ strict: true }) preferredEnd!: string;
  @IsOptional() @IsDateString({ strict: true }) visitStart?: string;
  @IsOptional() @IsDateString({ strict: true }) visitEnd?: string;
  @IsOptional() @IsString({ each: true }) @MaxLength(200, { each: true }) @ArrayMaxSize(50) placesToVisit?: string[];
  @IsOptional() @ValidateNested({ each: true }) @Type(() => ItineraryItemDto) @ArrayMaxSize(100) itinerary?: ItineraryItemDto[];
  @IsObject() @ValidateNested() @Type(() => HostContactDto) hostContact!: HostContactDto;
  @IsOptional() @IsInt() @Min(0) @Max(100_000) expectedParticipants?: number;
}

const BEFORE_VISIT = ['draft', 'internal-review', 'approved', 'requested', 'arranging', 'scheduled'];

export const AMBASSADOR_VISIT: ProgramDefinition = {
  key: 'ambassador-visit',
  version: 1,
  title: t('大使・総領事の地方訪問', 'Ambassador visit to the region'),
  ownerKinds: ['prefecture', 'municipality'],
  initialState: 'draft',
  states: [
    DRAFT,
    INTERNAL_REVIEW,
    { key: 'approved', title: t('承認済み', 'Approved') },
    { key: 'requested', title: t('外務省へ依頼済み', 'Requested') },
    { key: 'arranging', title: t('日程調整中', 'Arranging') },
    { key: 'declined', title: t('見送り', 'Declined'), terminal: true, abandoned: true },
    { key: 'scheduled', title: t('日程確定', 'Scheduled') },
    { key: 'visited', title: t('訪問済み', 'Visited') },
    { key: 'report-review', title: t('報告確認', 'Report review') },
    { key: 'closed', title: t('完了', 'Closed'), terminal: true },
    { key: 'cancelled', title: t('中止', 'Cancelled'), terminal: true, abandoned: true },
  ],
  actions: [
    ...backbone('approved'),
    { key: 'send-request', title: t('外務省へ依頼', 'Send the request'), from: ['approved'], to: 'requested', roles: ['staff'], rules: ['LEAD_TIME_TOO_SHORT'] },
    { key: 'record-acceptance', title: t('受諾を記録', 'Record acceptance'), from: ['requested'], to: 'arranging', roles: ['staff'] },
    { key: 'record-decline', title: t('見送りを記録', 'Record decline'), from: ['requested'], to: 'declined', roles: ['staff'], commentRequired: true },
    { key: 'confirm-schedule', title: t('日程確定', 'Confirm the schedule'), from: ['arranging'], to: 'scheduled', roles: ['manager'], rules: ['ITINERARY_REQUIRED'] },
    { key: 'visit-ended', title: t('訪問終了', 'Visit ended'), from: ['scheduled'], to: 'visited', roles: ['system'] },
    { key: 'submit-report', title: t('報告の提出', 'Submit the report'), from: ['visited'], to: 'report-review', roles: ['staff'] },
    { key: 'approve-report', title: t('報告の承認', 'Approve the report'), from: ['report-review'], to: 'closed', roles: ['manager'] },
    { key: 'cancel', title: t('中止', 'Cancel'), from: BEFORE_VISIT, to: 'cancelled', roles: ['staff', 'manager'], commentRequired: true },
  ],
  rules: [
    {
      code: 'DATE_RANGE_INVALID',
      fieldRule: true,
      messages: t('終了日は開始日以降にしてください。', 'The end date must not be before the start date.'),
      check: ({ data }) => [...rangeViolation(data, 'preferredStart', 'preferredEnd', 'DATE_RANGE_INVALID'), ...rangeViolation(data, 'visitStart', 'visitEnd', 'DATE_RANGE_INVALID')],
    },
    {
      code: 'LEAD_TIME_TOO_SHORT',
      needs: ['visitLeadTimeDays'],
      messages: t('希望開始日は本日から{days}日以上先（{earliest}以降）にしてください。', 'The preferred start must be at least {days} days ahead (on or after {earliest}).'),
      check: ({ data, facts, now }) => {
        const days = typeof facts.visitLeadTimeDays === 'number' ? facts.visitLeadTimeDays : DEFAULT_VISIT_LEAD_TIME_DAYS;
        const earliest = today(now).plus({ days });
        const start = day(data, 'preferredStart');
        return !start || start < earliest ? violation('preferredStart', 'LEAD_TIME_TOO_SHORT', { days, earliest: isoDay(earliest) }) : [];
      },
    },
    {
      code: 'ITINERARY_REQUIRED',
      messages: t('訪問日程（開始日・終了日）と行程を1件以上入力してください。', 'Enter the visit dates and at least one itinerary item.'),
      check: ({ data }) => [
        ...(day(data, 'visitStart') ? [] : violation('visitStart', 'ITINERARY_REQUIRED')),
        ...(day(data, 'visitEnd') ? [] : violation('visitEnd', 'ITINERARY_REQUIRED')),
        ...(list(data, 'itinerary').length > 0 ? [] : violation('itinerary', 'ITINERARY_REQUIRED')),
      ],
    },
  ],
  form: { dto: AmbassadorVisitForm },
  editable: [
    { states: ['draft'], roles: ['staff', 'manager'], fields: '*' },
    { states: ['internal-review'], roles: ['manager'], fields: '*' },
    { states: ['requested', 'arranging'], roles: ['staff', 'manager'], fields: ['visitStart', 'visitEnd', 'itinerary', 'placesToVisit', 'hostContact'] },
  ],
  timers: [
    {
      action: 'visit-ended',
      whileIn: 'scheduled',
      // 09:00 JST the day after the visit's last day.
      due: (data) => {
        const end = day(data, 'visitEnd');
        return end ? { date: isoDay(end.plus({ days: 1 })), time: '09:00' } : undefined;
      },
    },
  ],
  deadlines: [
    {
      key: 'itinerary-final',
      title: t('行程確定', 'Final itinerary'),
      whileIn: ['arranging'],
      due: (data) => {
        const start = day(data, 'visitStart');
        return start ? { date: isoDay(start.minus({ days: 7 })) } : undefined;
      },
      remindBefore: ['P3D', 'P1D'],
    },
    {
      key: 'visit-report',
      title: t('訪問報告', 'Visit report'),
      whileIn: ['visited'],
      due: (data) => {
        const end = day(data, 'visitEnd');
        return end ? { date: isoDay(end.plus({ days: 14 })) } : undefined;
      },
      remindBefore: ['P7D', 'P1D'],
    },
  ],
  titleOf: (data) => {
    const post = text(data, 'postName');
    const envoy = text(data, 'envoyKind') === 'consul-general' ? '総領事' : '大使';
    return post ? `${post} ${envoy}の訪問` : '';
  },
  fiscalYearOf: (data) => fiscalYearOfDay(day(data, 'visitStart') ?? day(data, 'preferredStart')),
};
