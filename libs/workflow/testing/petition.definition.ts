import { IsDateString, IsInt, IsOptional, IsString, MaxLength, Min, MinLength } from 'class-validator';
import type { ProgramDefinition } from '../definition';

/** The petition's form: only `title` is needed to submit. */
export class PetitionForm {
  @IsString() @MinLength(1) @MaxLength(200) title!: string;
  @IsOptional() @IsInt() @Min(0) amountYen?: number;
  @IsOptional() @IsDateString({ strict: true }) endDate?: string;
  @IsOptional() @IsString() @MaxLength(4000) note?: string;
}

/**
 * A small program for engine tests, with the backbone of DOMAIN.md (draft → submit →
 * internal-review → approve/return), a field rule, an overridable rule that reads a fact, a
 * system timer, a required comment and a terminal withdrawal.
 */
export const PETITION: ProgramDefinition = {
  key: 'test-petition',
  version: 1,
  title: { ja: 'テスト申請', en: 'Test petition' },
  ownerKinds: ['prefecture', 'municipality'],
  initialState: 'draft',
  states: [
    { key: 'draft', title: { ja: '下書き', en: 'Draft' } },
    { key: 'internal-review', title: { ja: '課内確認', en: 'Internal review' } },
    { key: 'approved', title: { ja: '承認済み', en: 'Approved' } },
    { key: 'done', title: { ja: '完了', en: 'Done' }, terminal: true },
    { key: 'withdrawn', title: { ja: '取下げ', en: 'Withdrawn' }, terminal: true, abandoned: true },
  ],
  actions: [
    { key: 'submit', title: { ja: '提出', en: 'Submit' }, from: ['draft'], to: 'internal-review', roles: ['staff'] },
    { key: 'approve', title: { ja: '承認', en: 'Approve' }, from: ['internal-review'], to: 'approved', roles: ['manager'], rules: ['YEARLY_LIMIT'] },
    { key: 'return', title: { ja: '差戻し', en: 'Return' }, from: ['internal-review'], to: 'draft', roles: ['manager'], commentRequired: true },
    { key: 'finish', title: { ja: '完了', en: 'Finish' }, from: ['approved'], to: 'done', roles: ['system', 'staff'] },
    { key: 'withdraw', title: { ja: '取下げ', en: 'Withdraw' }, from: ['draft', 'internal-review'], to: 'withdrawn', roles: ['staff', 'manager'], commentRequired: true },
  ],
  rules: [
    {
      code: 'AMOUNT_OVER_CAP',
      fieldRule: true,
      messages: { ja: '金額は{cap}円以下にしてください。', en: 'The amount must be at most ¥{cap}.' },
      check: ({ data }) => (typeof data.amountYen === 'number' && data.amountYen > 1_000_000 ? [{ field: 'amountYen', code: 'AMOUNT_OVER_CAP', params: { cap: 1_000_000 } }] : []),
    },
    {
      code: 'YEARLY_LIMIT',
      overridable: true,
      needs: ['approvedThisYear'],
      messages: { ja: '今年度の承認は{limit}件までです。', en: 'At most {limit} approvals per year.' },
      check: ({ facts }) => (Number(facts.approvedThisYear ?? 0) >= 2 ? [{ field: 'state', code: 'YEARLY_LIMIT', params: { limit: 2 } }] : []),
    },
  ],
  form: { dto: PetitionForm },
  editable: [
    { states: ['draft'], roles: ['staff', 'manager'], fields: '*' },
    { states: ['internal-review'], roles: ['manager'], fields: '*' },
    { states: ['approved'], roles: ['staff'], fields: ['note'] },
  ],
  timers: [{ action: 'finish', whileIn: 'approved', due: (data) => (typeof data.endDate === 'string' ? { date: data.endDate, time: '09:00' } : undefined) }],
  deadlines: [{ key: 'report', title: { ja: '報告', en: 'Report' }, whileIn: ['approved'], due: (data) => (typeof data.endDate === 'string' ? { date: data.endDate } : undefined), remindBefore: ['P7D', 'P1D'] }],
  titleOf: (data) => (typeof data.title === 'string' ? data.title : ''),
};
