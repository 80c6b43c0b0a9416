/**
 * Demo organisations and logins seeded by `KORYU_DEMO=1` into an empty database and printed by
 * `npm start`. Names are from the seed documents (shared/seeds: 001 八幡平市, 002 北九州市・沖縄県,
 * 003 全国知事会). Codes are 全国地方公共団体コード where one exists.
 */
export const DEMO_PASSWORD = 'koryu-demo-2026';

export interface DemoOrganisation {
  key: string;
  name: string;
  kind: 'prefecture' | 'municipality' | 'association' | 'operator';
  code: string;
}

export const DEMO_ORGANISATIONS: readonly DemoOrganisation[] = [
  { key: 'operator', name: 'Koryu システム運用', kind: 'operator', code: 'KORYUOPS' },
  { key: 'nga', name: '全国知事会事務局', kind: 'association', code: 'NGA' },
  { key: 'okinawa', name: '沖縄県', kind: 'prefecture', code: '470007' },
  { key: 'hokkaido', name: '北海道', kind: 'prefecture', code: '010006' },
  { key: 'shizuoka', name: '静岡県', kind: 'prefecture', code: '220001' },
  { key: 'kitakyushu', name: '北九州市', kind: 'municipality', code: '401005' },
  { key: 'hachimantai', name: '八幡平市', kind: 'municipality', code: '032140' },
];

/**
 * The other prefectures (全国地方公共団体コード), without logins: a governor-conference survey
 * invites every prefecture by default, so the demo has all 47.
 */
export const DEMO_OTHER_PREFECTURES: readonly (readonly [string, string])[] = [
  ['青森県', '020001'], ['岩手県', '030007'], ['宮城県', '040002'], ['秋田県', '050008'], ['山形県', '060003'], ['福島県', '070009'],
  ['茨城県', '080004'], ['栃木県', '090000'], ['群馬県', '100005'], ['埼玉県', '110001'], ['千葉県', '120006'], ['東京都', '130001'],
  ['神奈川県', '140007'], ['新潟県', '150002'], ['富山県', '160008'], ['石川県', '170003'], ['福井県', '180009'], ['山梨県', '190004'],
  ['長野県', '200000'], ['岐阜県', '210005'], ['愛知県', '230006'], ['三重県', '240001'], ['滋賀県', '250007'], ['京都府', '260002'],
  ['大阪府', '270008'], ['兵庫県', '280003'], ['奈良県', '290009'], ['和歌山県', '300004'], ['鳥取県', '310000'], ['島根県', '320005'],
  ['岡山県', '330001'], ['広島県', '340006'], ['山口県', '350001'], ['徳島県', '360007'], ['香川県', '370002'], ['愛媛県', '380008'],
  ['高知県', '390003'], ['福岡県', '400009'], ['佐賀県', '410004'], ['長崎県', '420000'], ['熊本県', '430005'], ['大分県', '440001'],
  ['宮崎県', '450006'], ['鹿児島県', '460001'],
];

const PEOPLE = {
  staff: { role: 'staff', ja: '担当' },
  manager: { role: 'manager', ja: '課長' },
  admin: { role: 'admin', ja: '管理者' },
} as const;

export interface DemoAccount {
  email: string;
  name: string;
  roles: string[];
  organisation: string;
  organisationKey: string;
  locale: 'ja' | 'en';
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = DEMO_ORGANISATIONS.flatMap((organisation) =>
  organisation.kind === 'operator'
    ? [{ email: 'operator@koryu.example', name: 'システム運用者', roles: ['admin'], organisation: organisation.name, organisationKey: organisation.key, locale: 'ja' as const }]
    : Object.entries(PEOPLE).map(([key, person]) => ({
        email: `${key}@${organisation.key}.example`,
        name: `${organisation.name} ${person.ja}`,
        roles: [person.role],
        organisation: organisation.name,
        organisationKey: organisation.key,
        locale: 'ja' as const,
      })),
);
