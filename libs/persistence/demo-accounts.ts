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
