import type { Localized } from './types';

/**
 * Titles of the case data fields of DOMAIN.md. GET /programs names no fields yet, so the UI
 * carries them; a field not listed here is shown by its key, split into words.
 */
const FIELD_LABELS: Record<string, Localized> = {
  // jica-application
  scheme: { ja: '事業スキーム', en: 'Scheme' },
  title: { ja: '件名', en: 'Title' },
  counterpartCountry: { ja: '相手国', en: 'Counterpart country' },
  counterpartOrganisation: { ja: '相手機関', en: 'Counterpart organisation' },
  sector: { ja: '分野', en: 'Sector' },
  partners: { ja: '連携先', en: 'Partners' },
  kind: { ja: '種別', en: 'Kind' },
  requestedBudgetYen: { ja: '申請額', en: 'Requested budget' },
  durationMonths: { ja: '期間（月数）', en: 'Duration (months)' },
  plannedStart: { ja: '開始予定日', en: 'Planned start' },
  summary: { ja: '概要', en: 'Summary' },
  expectedOutcomes: { ja: '期待される成果', en: 'Expected outcomes' },
  callId: { ja: '公募', en: 'Call' },
  // ambassador-visit
  envoyKind: { ja: '訪問者の種別', en: 'Envoy' },
  postCountry: { ja: '任国', en: 'Country of the post' },
  postName: { ja: '在外公館', en: 'Post' },
  envoyName: { ja: '大使・総領事の氏名', en: "Envoy's name" },
  purposes: { ja: '訪問の目的', en: 'Purposes' },
  preferredStart: { ja: '希望開始日', en: 'Preferred start' },
  preferredEnd: { ja: '希望終了日', en: 'Preferred end' },
  visitStart: { ja: '訪問開始日', en: 'Visit start' },
  visitEnd: { ja: '訪問終了日', en: 'Visit end' },
  placesToVisit: { ja: '訪問先', en: 'Places to visit' },
  itinerary: { ja: '行程', en: 'Itinerary' },
  date: { ja: '日付', en: 'Date' },
  time: { ja: '時刻', en: 'Time' },
  place: { ja: '場所', en: 'Place' },
  activity: { ja: '内容', en: 'Activity' },
  hostContact: { ja: '受入担当者', en: 'Host contact' },
  name: { ja: '名前', en: 'Name' },
  department: { ja: '所属', en: 'Department' },
  phone: { ja: '電話番号', en: 'Phone' },
  email: { ja: 'メールアドレス', en: 'E-mail' },
  expectedParticipants: { ja: '参加予定人数', en: 'Expected participants' },
  // trainee-secondment
  track: { ja: '研修の区分', en: 'Track' },
  trainee: { ja: '研修員', en: 'Trainee' },
  employeeNumber: { ja: '職員番号', en: 'Employee number' },
  position: { ja: '職名', en: 'Position' },
  languages: { ja: '語学', en: 'Languages' },
  language: { ja: '言語', en: 'Language' },
  level: { ja: 'レベル', en: 'Level' },
  startDate: { ja: '開始日', en: 'Start date' },
  hqMonths: { ja: '本省研修の期間（月数）', en: 'Headquarters phase (months)' },
  overseasMonths: { ja: '在外公館勤務の期間（月数）', en: 'Overseas phase (months)' },
  preferredRegions: { ja: '希望地域', en: 'Preferred regions' },
  motivation: { ja: '志望動機', en: 'Motivation' },
  // governor-conference
  counterpartBody: { ja: '相手団体', en: 'Counterpart body' },
  fiscalYear: { ja: '年度', en: 'Fiscal year' },
  format: { ja: '開催形式', en: 'Format' },
  hostSide: { ja: '開催地側', en: 'Host side' },
  hostPrefecture: { ja: '開催県', en: 'Host prefecture' },
  city: { ja: '開催都市', en: 'City' },
  endDate: { ja: '終了日', en: 'End date' },
  themes: { ja: 'テーマ', en: 'Themes' },
  purpose: { ja: '目的', en: 'Purpose' },
  promotionPlan: { ja: 'プロモーション計画', en: 'Promotion plan' },
  invitedOrganisations: { ja: '招待団体', en: 'Invited organisations' },
  surveyDeadline: { ja: '参加意向調査の締切', en: 'Survey deadline' },
  outcomes: { ja: '成果', en: 'Outcomes' },
  description: { ja: '説明', en: 'Description' },
};

/** `requestedBudgetYen` → its title, or "Requested budget yen" for a field the UI does not know. */
export function fieldLabel(key: string): Localized {
  // hasOwn: a key such as `constructor` must not find Object.prototype's.
  if (Object.hasOwn(FIELD_LABELS, key)) return FIELD_LABELS[key];
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]+/g, ' ').toLowerCase();
  const text = words.charAt(0).toUpperCase() + words.slice(1);
  return { ja: text, en: text };
}
