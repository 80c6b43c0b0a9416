import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsDateString,
  IsIn,
  IsInt,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { ProgramDefinition, RuleViolation } from '../definition';
import { backbone, day, DRAFT, fiscalYearOfDay, int, INTERNAL_REVIEW, isoDay, t, text, violation } from './common';

/**
 * JICA funding applications (JICA事業応募). Sources: seeds 001 p.17–20 (草の根技術協力,
 * 無償資金協力, 中小企業海外展開支援) and 002 第2章第3節; caps and durations from DOMAIN.md §1.
 */
export const JICA_SCHEMES = {
  'grassroots-regional': { title: t('草の根技術協力（地域活性化特別枠）', 'JICA Partnership Program (regional revitalisation)'), capYen: 60_000_000, minMonths: 1, maxMonths: 36, call: true, needsCompany: false },
  'grant-aid-municipal': { title: t('地方自治体と連携した無償資金協力', 'Grant aid with local governments'), capYen: 10_000_000, minMonths: 1, maxMonths: 12, call: false, needsCompany: false },
  'sme-basic-survey': { title: t('中小企業海外展開支援 基礎調査', 'SME support: basic survey'), capYen: 8_500_000, minMonths: 1, maxMonths: 12, call: true, needsCompany: true },
  'sme-feasibility-survey': { title: t('案件化調査', 'SME support: feasibility survey'), capYen: 30_000_000, minMonths: 1, maxMonths: 12, call: true, needsCompany: true },
  'sme-verification': { title: t('普及・実証事業', 'SME support: verification survey'), capYen: 100_000_000, minMonths: 12, maxMonths: 36, call: true, needsCompany: true },
  'sdgs-business-survey': { title: t('SDGsビジネス調査', 'SDGs business survey'), capYen: 30_000_000, minMonths: 1, maxMonths: 36, call: true, needsCompany: true },
} as const;
export type JicaScheme = keyof typeof JICA_SCHEMES;
export const JICA_SCHEME_KEYS = Object.keys(JICA_SCHEMES) as JicaScheme[];
export const JICA_SECTORS = ['water', 'waste', 'disaster-risk', 'agriculture', 'health', 'education', 'environment', 'industry', 'other'] as const;
export const PARTNER_KINDS = ['ngo', 'university', 'company', 'other'] as const;

/** The JICA call a case references, as the `jicaCall` fact (null when none or not found). */
export interface JicaCallFact {
  id: string;
  scheme: string;
  opensAt: string;
  closesAt: string;
}

export class PartnerDto {
  @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @IsIn(PARTNER_KINDS) kind!: (typeof PARTNER_KINDS)[number];
}

/** The fields of every scheme; `submit` needs all of them (partners and callId depend on the scheme). */
class JicaCommonForm {
  @IsIn(JICA_SCHEME_KEYS) scheme!: JicaScheme;
  @IsString() @MinLength(1) @MaxLength(200) title!: string;
  @IsISO31661Alpha2() counterpartCountry!: string;
  @IsString() @MinLength(1) @MaxLength(200) counterpartOrganisation!: string;
  @IsIn(JICA_SECTORS) sector!: (typeof JICA_SECTORS)[number];
  @IsInt() @Min(0) @Max(10_000_000_000) requestedBudgetYen!: number;
  @IsInt() @Min(1) @Max(120) durationMonths!: number;
  @IsDateString({ strict: true }) plannedStart!: string;
  @IsString() @MinLength(1) @MaxLength(8000) summary!: string;
  @IsString() @MinLength(1) @MaxLength(8000) expectedOutcomes!: string;
}

/** Call-based schemes led by the local government (草の根): partners optional; CALL_REQUIRED checks callId. */
export class JicaApplicationForm extends JicaCommonForm {
  @IsOptional() @ValidateNested({ each: true }) @Type(() => PartnerDto) @ArrayMaxSize(20) partners?: PartnerDto[];
  @IsOptional() @IsUUID() callId?: string;
}

/** SME and SDGs schemes apply together with companies: at least one partner is needed to submit. */
export class JicaCompanyApplicationForm extends JicaCommonForm {
  @ValidateNested({ each: true }) @Type(() => PartnerDto) @ArrayMinSize(1) @ArrayMaxSize(20) partners!: PartnerDto[];
  @IsOptional() @IsUUID() callId?: string;
}

/** Grant aid is rolling (随時): there is no call, so `callId` is not a field of this form. */
export class JicaGrantAidForm extends JicaCommonForm {
  @IsOptional() @ValidateNested({ each: true }) @Type(() => PartnerDto) @ArrayMaxSize(20) partners?: PartnerDto[];
}

function schemeOf(data: Record<string, unknown>) {
  const key = text(data, 'scheme');
  return key && key in JICA_SCHEMES ? { key: key as JicaScheme, ...JICA_SCHEMES[key as JicaScheme] } : undefined;
}

const yen = (n: number) => n.toLocaleString('ja-JP');

export const JICA_APPLICATION: ProgramDefinition = {
  key: 'jica-application',
  version: 1,
  title: t('JICA事業応募', 'JICA funding application'),
  ownerKinds: ['prefecture', 'municipality'],
  initialState: 'draft',
  states: [
    DRAFT,
    INTERNAL_REVIEW,
    { key: 'ready-to-submit', title: t('JICA提出待ち', 'Ready to submit') },
    { key: 'submitted', title: t('JICA提出済み', 'Submitted to JICA') },
    { key: 'conditionally-adopted', title: t('条件付き採択', 'Conditionally adopted') },
    { key: 'adopted', title: t('採択', 'Adopted') },
    { key: 'rejected', title: t('不採択', 'Rejected'), terminal: true, abandoned: true },
    { key: 'contracted', title: t('契約締結', 'Contracted') },
    { key: 'in-progress', title: t('事業実施中', 'In progress') },
    { key: 'completion-review', title: t('完了報告確認', 'Completion review') },
    { key: 'completed', title: t('完了', 'Completed'), terminal: true },
    { key: 'withdrawn', title: t('取下げ', 'Withdrawn'), terminal: true, abandoned: true },
  ],
  actions: [
    ...backbone('ready-to-submit'),
    { key: 'submit-to-jica', title: t('JICAへ提出', 'Submit to JICA'), from: ['ready-to-submit'], to: 'submitted', roles: ['staff'], rules: ['CALL_CLOSED'] },
    { key: 'record-conditional-adoption', title: t('条件付き採択を記録', 'Record conditional adoption'), from: ['submitted'], to: 'conditionally-adopted', roles: ['staff', 'manager'], rules: ['SCHEME_MISMATCH'] },
    { key: 'complete-preparatory-survey', title: t('協力準備調査の完了', 'Complete the preparatory survey'), from: ['conditionally-adopted'], to: 'adopted', roles: ['staff', 'manager'] },
    { key: 'record-adoption', title: t('採択を記録', 'Record adoption'), from: ['submitted'], to: 'adopted', roles: ['staff', 'manager'] },
    { key: 'record-rejection', title: t('不採択を記録', 'Record rejection'), from: ['submitted', 'conditionally-adopted'], to: 'rejected', roles: ['staff', 'manager'] },
    { key: 'sign-contract', title: t('契約締結', 'Sign the contract'), from: ['adopted'], to: 'contracted', roles: ['manager'] },
    { key: 'start-implementation', title: t('事業開始', 'Start implementation'), from: ['contracted'], to: 'in-progress', roles: ['staff'] },
    { key: 'submit-completion-report', title: t('完了報告の提出', 'Submit the completion report'), from: ['in-progress'], to: 'completion-review', roles: ['staff'] },
    { key: 'approve-completion', title: t('完了承認', 'Approve completion'), from: ['completion-review'], to: 'completed', roles: ['manager'] },
    { key: 'withdraw', title: t('取下げ', 'Withdraw'), from: ['draft', 'internal-review', 'ready-to-submit', 'submitted'], to: 'withdrawn', roles: ['staff', 'manager'], commentRequired: true },
  ],
  rules: [
    {
      code: 'BUDGET_OVER_CAP',
      fieldRule: true,
      messages: t('{scheme}の申請額は{cap}円以下です。', 'The requested budget for {scheme} must be at most ¥{cap}.'),
      check: ({ data }) => {
        const scheme = schemeOf(data);
        const budget = int(data, 'requestedBudgetYen');
        return scheme && budget !== undefined && budget > scheme.capYen ? violation('requestedBudgetYen', 'BUDGET_OVER_CAP', { scheme: scheme.title, cap: yen(scheme.capYen) }) : [];
      },
    },
    {
      code: 'DURATION_OUT_OF_RANGE',
      fieldRule: true,
      messages: t('{scheme}の事業期間は{min}～{max}か月です。', 'The duration for {scheme} must be {min}–{max} months.'),
      check: ({ data }) => {
        const scheme = schemeOf(data);
        const months = int(data, 'durationMonths');
        return scheme && months !== undefined && (months < scheme.minMonths || months > scheme.maxMonths)
          ? violation('durationMonths', 'DURATION_OUT_OF_RANGE', { scheme: scheme.title, min: scheme.minMonths, max: scheme.maxMonths })
          : [];
      },
    },
    {
      code: 'APPLICANT_NOT_ELIGIBLE',
      fieldRule: true,
      messages: t(
        '{scheme}は地方自治体が申請し、中小企業・企業との連携が必要な制度では企業の参加が必要です。',
        '{scheme} is applied for by a local government, together with a company where the scheme requires one.',
      ),
      check: ({ data, ownerKind }): RuleViolation[] => {
        const scheme = schemeOf(data);
        if (!scheme) return [];
        if (ownerKind && ownerKind !== 'prefecture' && ownerKind !== 'municipality') return violation('scheme', 'APPLICANT_NOT_ELIGIBLE', { scheme: scheme.title });
        const partners = Array.isArray(data.partners) ? (data.partners as { kind?: unknown }[]) : [];
        if (scheme.needsCompany && partners.length > 0 && !partners.some((p) => p?.kind === 'company')) return violation('partners', 'APPLICANT_NOT_ELIGIBLE', { scheme: scheme.title });
        return [];
      },
    },
    {
      code: 'CALL_REQUIRED',
      fieldRule: true,
      needs: ['jicaCall'],
      messages: t('{scheme}は公募への応募です。登録済みの公募を選んでください。', '{scheme} is applied for through a call: choose a registered call.'),
      check: ({ data, facts }) => {
        const scheme = schemeOf(data);
        return scheme?.call && !facts.jicaCall ? violation('callId', 'CALL_REQUIRED', { scheme: scheme.title }) : [];
      },
    },
    {
      code: 'SCHEME_MISMATCH',
      fieldRule: true,
      needs: ['jicaCall'],
      messages: t(
        '選んだ公募（{callScheme}）と申請の制度（{scheme}）が一致しません。条件付き採択は地方自治体と連携した無償資金協力のみです。',
        'The call ({callScheme}) and the scheme ({scheme}) do not match; conditional adoption exists for grant aid with local governments only.',
      ),
      check: ({ data, facts, state }) => {
        const scheme = schemeOf(data);
        if (!scheme) return [];
        if (state === 'submitted' && scheme.key !== 'grant-aid-municipal') return violation('scheme', 'SCHEME_MISMATCH', { scheme: scheme.title, callScheme: '-' });
        const call = facts.jicaCall as JicaCallFact | null | undefined;
        const callScheme = call ? schemeOf({ scheme: call.scheme }) : undefined;
        return call && call.scheme !== scheme.key ? violation('callId', 'SCHEME_MISMATCH', { scheme: scheme.title, callScheme: callScheme?.title ?? call.scheme }) : [];
      },
    },
    {
      code: 'CALL_CLOSED',
      needs: ['jicaCall'],
      messages: t('公募の受付期間外です（{opensAt}～{closesAt}）。', 'The call is not open ({opensAt} – {closesAt}).'),
      check: ({ data, facts, now }) => {
        const scheme = schemeOf(data);
        if (!scheme?.call) return [];
        const call = facts.jicaCall as JicaCallFact | null | undefined;
        if (!call) return violation('callId', 'CALL_CLOSED', { opensAt: '-', closesAt: '-' });
        const open = new Date(call.opensAt) <= now && now < new Date(call.closesAt);
        return open ? [] : violation('callId', 'CALL_CLOSED', { opensAt: call.opensAt, closesAt: call.closesAt });
      },
    },
  ],
  form: {
    dto: JicaApplicationForm,
    variants: {
      field: 'scheme',
      dtos: {
        'grassroots-regional': JicaApplicationForm,
        'grant-aid-municipal': JicaGrantAidForm,
        'sme-basic-survey': JicaCompanyApplicationForm,
        'sme-feasibility-survey': JicaCompanyApplicationForm,
        'sme-verification': JicaCompanyApplicationForm,
        'sdgs-business-survey': JicaCompanyApplicationForm,
      },
    },
  },
  editable: [
    { states: ['draft'], roles: ['staff', 'manager'], fields: '*' },
    { states: ['internal-review'], roles: ['manager'], fields: '*' },
  ],
  deadlines: [
    {
      key: 'call-deadline',
      title: t('公募締切', 'Call deadline'),
      whileIn: ['draft', 'internal-review', 'ready-to-submit'],
      needs: ['jicaCall'],
      due: (_data, facts) => {
        const call = facts.jicaCall as JicaCallFact | null | undefined;
        return call ? { instant: new Date(call.closesAt).toISOString() } : undefined;
      },
      remindBefore: ['P14D', 'P7D', 'P1D'],
    },
    {
      key: 'progress-report',
      title: t('進捗報告', 'Progress report'),
      whileIn: ['in-progress'],
      needs: ['stateEnteredOn'],
      due: (_data, facts) => {
        const started = typeof facts.stateEnteredOn === 'string' ? day({ on: facts.stateEnteredOn }, 'on') : undefined;
        return started ? { date: isoDay(started.plus({ months: 6 })) } : undefined;
      },
      repeatEvery: 'P6M',
      remindBefore: ['P14D', 'P7D'],
    },
    {
      key: 'completion-report',
      title: t('完了報告', 'Completion report'),
      whileIn: ['in-progress'],
      due: (data) => {
        const start = day(data, 'plannedStart');
        const months = int(data, 'durationMonths');
        return start && months ? { date: isoDay(start.plus({ months }).plus({ days: 30 })) } : undefined;
      },
      remindBefore: ['P14D', 'P7D', 'P1D'],
    },
  ],
  titleOf: (data) => text(data, 'title') ?? '',
  fiscalYearOf: (data) => fiscalYearOfDay(day(data, 'plannedStart')),
};
