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
  // the participation survey's response
  attendance: { ja: '出欠', en: 'Attendance' },
  attendeeLevel: { ja: '出席者', en: 'Attendee level' },
  delegationSize: { ja: '参加人数', en: 'Delegation size' },
  joinsPromotion: { ja: 'プロモーションへの参加', en: 'Joins the promotion' },
};

/**
 * Titles of the values of DOMAIN.md's enumerations, by field key (the last segment of a path:
 * `partners.0.kind` is `kind`). A value not listed is shown as it is.
 */
const VALUE_LABELS: Record<string, Record<string, Localized>> = {
  // jica-application
  scheme: {
    'grassroots-regional': { ja: '草の根技術協力（地域活性化特別枠）', en: 'JICA Partnership Program (regional revitalisation)' },
    'grant-aid-municipal': { ja: '地方自治体と連携した無償資金協力', en: 'Grant aid with local governments' },
    'sme-basic-survey': { ja: '中小企業海外展開支援 基礎調査', en: 'SME support: basic survey' },
    'sme-feasibility-survey': { ja: '案件化調査', en: 'SME support: feasibility survey' },
    'sme-verification': { ja: '普及・実証事業', en: 'SME support: verification survey' },
    'sdgs-business-survey': { ja: 'SDGsビジネス調査', en: 'SDGs business survey' },
  },
  sector: {
    water: { ja: '水・衛生', en: 'Water and sanitation' },
    waste: { ja: '廃棄物管理', en: 'Waste management' },
    'disaster-risk': { ja: '防災', en: 'Disaster risk reduction' },
    agriculture: { ja: '農業', en: 'Agriculture' },
    health: { ja: '保健・医療', en: 'Health' },
    education: { ja: '教育', en: 'Education' },
    environment: { ja: '環境', en: 'Environment' },
    industry: { ja: '産業振興', en: 'Industry' },
    other: { ja: 'その他', en: 'Other' },
  },
  kind: {
    ngo: { ja: 'NGO', en: 'NGO' },
    university: { ja: '大学', en: 'University' },
    company: { ja: '企業', en: 'Company' },
    other: { ja: 'その他', en: 'Other' },
  },
  // ambassador-visit
  envoyKind: {
    ambassador: { ja: '大使', en: 'Ambassador' },
    'consul-general': { ja: '総領事', en: 'Consul-general' },
  },
  purposes: {
    'exchange-of-views': { ja: '意見交換', en: 'Exchange of views' },
    lecture: { ja: '講演', en: 'Lecture' },
    'site-visit': { ja: '視察', en: 'Site visit' },
    'media-interview': { ja: '取材対応', en: 'Media interview' },
    'sister-city': { ja: '姉妹都市交流', en: 'Sister-city exchange' },
    business: { ja: 'ビジネス交流', en: 'Business' },
  },
  // trainee-secondment
  track: {
    'diplomatic-practice': { ja: '外交実務研修員', en: 'Diplomatic practice trainee' },
    'overseas-admin-service': { ja: '在外行政サービス研修員', en: 'Overseas administrative service trainee' },
  },
  level: {
    basic: { ja: '初級', en: 'Basic' },
    business: { ja: 'ビジネス', en: 'Business' },
    fluent: { ja: '流暢', en: 'Fluent' },
    native: { ja: 'ネイティブ', en: 'Native' },
  },
  preferredRegions: {
    asia: { ja: 'アジア', en: 'Asia' },
    europe: { ja: '欧州', en: 'Europe' },
    'north-america': { ja: '北米', en: 'North America' },
    'latin-america': { ja: '中南米', en: 'Latin America' },
    'middle-east': { ja: '中東', en: 'Middle East' },
    africa: { ja: 'アフリカ', en: 'Africa' },
    oceania: { ja: '大洋州', en: 'Oceania' },
  },
  // governor-conference, and its participation survey
  format: {
    'in-person': { ja: '対面', en: 'In person' },
    online: { ja: 'オンライン', en: 'Online' },
    hybrid: { ja: 'ハイブリッド', en: 'Hybrid' },
  },
  hostSide: {
    japan: { ja: '日本側', en: 'Japan' },
    counterpart: { ja: '相手国側', en: 'Counterpart' },
  },
  attendance: {
    pending: { ja: '未回答', en: 'Not answered yet' },
    attending: { ja: '出席', en: 'Attending' },
    declining: { ja: '欠席', en: 'Declining' },
    'no-response': { ja: '回答なし', en: 'No response' },
  },
  attendeeLevel: {
    governor: { ja: '知事', en: 'Governor' },
    'vice-governor': { ja: '副知事', en: 'Vice-governor' },
    staff: { ja: '職員', en: 'Staff' },
  },
};

/** The title of an enumeration's value (`envoyKind` `consul-general` → 総領事), if the UI knows it. */
export function valueLabel(field: string, value: string): Localized | undefined {
  const key = field.split('.').filter((segment) => !/^\d+$/.test(segment)).at(-1) ?? field;
  const values = Object.hasOwn(VALUE_LABELS, key) ? VALUE_LABELS[key] : undefined;
  return values && Object.hasOwn(values, value) ? values[value] : undefined;
}

/**
 * Where a form's fields come in the order of its schema (the order the program declares them),
 * the exceptions: JICA's scheme-specific fields (`partners`, `callId`) are declared first, in
 * subclasses, but read best in DOMAIN.md's order.
 */
const FIELD_ORDER: Record<string, readonly string[]> = {
  'jica-application': ['scheme', 'callId', 'title', 'counterpartCountry', 'counterpartOrganisation', 'sector', 'partners', 'requestedBudgetYen', 'durationMonths', 'plannedStart', 'summary', 'expectedOutcomes'],
};

/** The top-level fields of a program's form in the order to show them. */
export function orderFields(program: string, keys: readonly string[]): string[] {
  const order = Object.hasOwn(FIELD_ORDER, program) ? FIELD_ORDER[program] : [];
  const rank = (key: string) => {
    const index = order.indexOf(key);
    return index === -1 ? order.length + keys.indexOf(key) : index;
  };
  return [...keys].sort((a, b) => rank(a) - rank(b));
}

/** `requestedBudgetYen` → its title, or "Requested budget yen" for a field the UI does not know. */
export function fieldLabel(key: string): Localized {
  // hasOwn: a key such as `constructor` must not find Object.prototype's.
  if (Object.hasOwn(FIELD_LABELS, key)) return FIELD_LABELS[key];
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]+/g, ' ').toLowerCase();
  const text = words.charAt(0).toUpperCase() + words.slice(1);
  return { ja: text, en: text };
}
