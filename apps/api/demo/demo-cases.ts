import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import { fiscalYearOf, TOKYO } from '@koryu/calendar';
import type { KoryuConfig } from '@koryu/config';
import { KORYU_CONFIG, runWithContext } from '@koryu/platform';
import { CasesService } from '@koryu/casework';

/** One step of a demo case's story: who takes which action (system: a timer), with what. */
type Step = [action: string, who: 'staff' | 'manager' | 'system', extra?: { comment?: string; data?: Record<string, unknown>; override?: { reason: string } }];

interface DemoCase {
  organisation: string;
  program: string;
  data: Record<string, unknown>;
  steps: Step[];
}

const SEED_LOCK = 47112028;

/**
 * `KORYU_DEMO=1`: on an empty case table, seeds JICA calls for this fiscal year and cases of every
 * program spread over their states, told through the real engine (each step is an action by a
 * demo user, or by the system for timer steps), so history, events and allowed actions are what
 * they would be. Names and texts come from the seed documents: 八幡平市 and the ambassador to
 * Rwanda (001), 北九州市's water cooperation and 沖縄県's regional diplomacy (000, 002), the
 * governors' conferences with Korea, the US and China (003).
 */
@Injectable()
export class DemoCasesSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('Demo');

  constructor(
    private readonly cases: CasesService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(KORYU_CONFIG) private readonly config: KoryuConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demo) return;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      // One replica seeds; the others see cases (or the lock) and leave it.
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [SEED_LOCK]);
      if (!locked) return;
      const [{ n }] = await runner.query('SELECT count(*)::int AS n FROM workflow_case');
      const users = await runner.query(`SELECT u.id, u.email, u.organisation_id AS "organisationId", u.roles, o.kind FROM app_user u JOIN organisation o ON o.id = u.organisation_id WHERE u.email LIKE '%.example'`);
      if (n === 0 && users.length > 0) await this.seed(users);
      await runner.query('SELECT pg_advisory_unlock($1)', [SEED_LOCK]);
    } finally {
      await runner.release();
    }
  }

  private async seed(users: { id: string; email: string; organisationId: string; roles: string[]; kind: string }[]): Promise<void> {
    const today = DateTime.now().setZone(TOKYO).startOf('day');
    const fy = fiscalYearOf(today.toJSDate());
    const day = (offset: number) => today.plus({ days: offset }).toISODate() as string;
    const at = (date: string, time: string) => DateTime.fromISO(`${date}T${time}`, { zone: TOKYO }).toUTC().toISO() as string;

    const calls = new Map<string, string>();
    const addCall = async (scheme: string, round: number, opens: string, closes: string) => {
      const [row] = await this.dataSource.query(
        `INSERT INTO jica_call (scheme, fiscal_year, round, opens_at, closes_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (scheme, fiscal_year, round) DO UPDATE SET round = EXCLUDED.round RETURNING id`,
        [scheme, fy, round, at(opens, '09:00'), at(closes, '17:00')],
      );
      calls.set(`${scheme}#${round}`, row.id);
    };
    await addCall('grassroots-regional', 1, `${fy}-04-01`, `${fy}-05-29`);
    await addCall('grassroots-regional', 2, day(-30), day(25));
    await addCall('sme-basic-survey', 1, day(-20), day(40));
    await addCall('sme-feasibility-survey', 1, day(-20), day(40));
    await addCall('sme-verification', 1, day(-20), day(40));
    await addCall('sdgs-business-survey', 1, day(-10), day(60));

    const water = {
      scheme: 'grassroots-regional',
      title: 'カンボジア・プノンペン都 上水道人材育成プロジェクト',
      counterpartCountry: 'KH',
      counterpartOrganisation: 'プノンペン水道公社',
      sector: 'water',
      partners: [{ name: '北九州市上下水道局', kind: 'other' }],
      requestedBudgetYen: 58_000_000,
      durationMonths: 36,
      plannedStart: `${fy + 1}-04-01`,
      summary: '北九州市が培った配水管理・漏水対策の技術を、研修員受入れと現地指導で移転する。',
      expectedOutcomes: '無収水率の低減、水道公社職員の維持管理能力の向上',
      callId: calls.get('grassroots-regional#2'),
    };
    const sme = {
      ...water,
      scheme: 'sme-verification',
      title: 'ベトナム・ハイフォン市 下水汚泥の資源化技術 普及・実証事業',
      counterpartCountry: 'VN',
      counterpartOrganisation: 'ハイフォン市人民委員会',
      sector: 'waste',
      partners: [{ name: '北九州環境テクノ株式会社', kind: 'company' }, { name: '北九州市立大学', kind: 'university' }],
      requestedBudgetYen: 95_000_000,
      durationMonths: 24,
      callId: calls.get('sme-verification#1'),
    };
    const grantAid = {
      scheme: 'grant-aid-municipal',
      title: 'ルワンダ 地熱を活用した農業ハウス機材供与',
      counterpartCountry: 'RW',
      counterpartOrganisation: 'ルワンダ農業動物資源開発庁',
      sector: 'agriculture',
      requestedBudgetYen: 9_800_000,
      durationMonths: 12,
      plannedStart: `${fy + 1}-07-01`,
      summary: '八幡平市の地熱利用ハウスの知見を活かし、栽培用機材を供与する。',
      expectedOutcomes: '高地での通年栽培の実証',
    };
    const visit = (postName: string, postCountry: string, envoyKind: string, startOffset: number, extra: Record<string, unknown> = {}) => ({
      envoyKind,
      postCountry,
      postName,
      purposes: ['lecture', 'site-visit', 'exchange-of-views'],
      preferredStart: day(startOffset),
      preferredEnd: day(startOffset + 1),
      placesToVisit: ['市役所', '地熱発電所', '市内中学校'],
      hostContact: { name: '交流 花子', department: '企画財政課 国際交流係', phone: '0195-74-2111', email: 'kokusai@example.jp' },
      expectedParticipants: 150,
      ...extra,
    });
    const trainee = (name: string, track: string, startDate: string, hqMonths: number, extra: Record<string, unknown> = {}) => ({
      track,
      trainee: { name, employeeNumber: `E-${Math.floor(Math.random() * 90000 + 10000)}`, department: '国際交流課', position: '主任', languages: [{ language: 'en', level: 'business' }] },
      startDate,
      hqMonths,
      preferredRegions: ['asia', 'north-america'],
      motivation: '地域外交を担う人材として、外交の現場で交渉と広報の実務を学びたい。',
      ...extra,
    });
    const conference = (counterpartCountry: string, counterpartBody: string, fiscalYear: number, start: string, extra: Record<string, unknown> = {}) => ({
      counterpartCountry,
      counterpartBody,
      fiscalYear,
      format: 'in-person',
      hostSide: 'japan',
      hostPrefecture: '岡山県',
      city: '岡山市',
      startDate: start,
      endDate: DateTime.fromISO(start).plus({ days: 1 }).toISODate(),
      themes: ['観光交流の拡大', '防災・減災での協力'],
      purpose: '相互に利益のある具体的なテーマで地方間の協力を深める。',
      expectedOutcomes: '共同声明の採択と、分野別の交流事業の合意',
      promotionPlan: '知事団による県産品・観光のプロモーション',
      ...extra,
    });
    const backbone: Step[] = [['submit', 'staff'], ['approve', 'manager']];

    const stories: DemoCase[] = [
      { organisation: 'kitakyushu', program: 'jica-application', data: water, steps: [] },
      { organisation: 'kitakyushu', program: 'jica-application', data: { ...water, title: 'フィリピン・ダバオ市 上水道無収水対策' , counterpartCountry: 'PH', counterpartOrganisation: 'ダバオ市水道区' }, steps: [['submit', 'staff']] },
      { organisation: 'kitakyushu', program: 'jica-application', data: sme, steps: [...backbone, ['submit-to-jica', 'staff']] },
      { organisation: 'kitakyushu', program: 'jica-application', data: { ...water, title: 'ラオス・ビエンチャン都 水道事業運営改善', counterpartCountry: 'LA', counterpartOrganisation: 'ビエンチャン水道公社', requestedBudgetYen: 45_000_000 }, steps: [...backbone, ['submit-to-jica', 'staff'], ['record-adoption', 'staff'], ['sign-contract', 'manager'], ['start-implementation', 'staff']] },
      { organisation: 'hachimantai', program: 'jica-application', data: grantAid, steps: [...backbone, ['submit-to-jica', 'staff'], ['record-conditional-adoption', 'staff']] },
      {
        organisation: 'hachimantai',
        program: 'ambassador-visit',
        data: visit('在ルワンダ日本国大使館', 'RW', 'ambassador', 40, { envoyName: '宮下 孝之' }),
        steps: [...backbone, ['send-request', 'staff'], ['record-acceptance', 'staff'], ['confirm-schedule', 'manager', { data: { visitStart: day(40), visitEnd: day(41), itinerary: [{ date: day(40), time: '10:00', place: '八幡平市役所', activity: '市長表敬・地熱利用の説明' }, { date: day(41), time: '13:30', place: '市立中学校', activity: 'ルワンダに関する講演' }] } }]],
      },
      { organisation: 'kitakyushu', program: 'ambassador-visit', data: visit('在ホーチミン日本国総領事館', 'VN', 'consul-general', 60), steps: [...backbone, ['send-request', 'staff'], ['record-acceptance', 'staff']] },
      { organisation: 'okinawa', program: 'ambassador-visit', data: visit('在ホノルル日本国総領事館', 'US', 'consul-general', 75), steps: [['submit', 'staff']] },
      { organisation: 'okinawa', program: 'trainee-secondment', data: trainee('比嘉 亮', 'diplomatic-practice', `${fy}-04-01`, 24, { postName: '在シンガポール日本国大使館' }), steps: [...backbone, ['apply', 'staff'], ['record-acceptance', 'staff'], ['begin-secondment', 'system']] },
      { organisation: 'hokkaido', program: 'trainee-secondment', data: trainee('佐藤 美咲', 'diplomatic-practice', `${fy + 1}-04-01`, 24), steps: [...backbone, ['apply', 'staff']] },
      { organisation: 'shizuoka', program: 'trainee-secondment', data: trainee('鈴木 健太', 'overseas-admin-service', day(120), 4), steps: [] },
      {
        organisation: 'nga',
        program: 'governor-conference',
        data: conference('KR', '韓国市道知事協議会', fy, day(-20), { hostSide: 'counterpart', hostPrefecture: undefined, city: 'ソウル', surveyDeadline: at(day(5), '17:00') }),
        steps: [
          ...backbone,
          ['open-survey', 'staff'],
          ['close-survey', 'staff'],
          ['mark-held', 'system'],
          ['start-outcome-report', 'staff'],
          ['close', 'manager', { data: { outcomes: [{ title: '共同声明', description: '観光・防災分野での地方間協力の推進に合意' }, { title: '青少年交流', description: '次年度から高校生の相互派遣を開始' }] } }],
        ],
      },
      { organisation: 'nga', program: 'governor-conference', data: conference('US', '全米知事会', fy, day(70), { surveyDeadline: at(day(21), '17:00') }), steps: [...backbone, ['open-survey', 'staff']] },
      { organisation: 'nga', program: 'governor-conference', data: conference('CN', '中国人民対外友好協会', fy + 1, day(500)), steps: backbone },
      { organisation: 'nga', program: 'governor-conference', data: conference('ASEAN', 'ASEAN加盟国の地方政府', fy + 1, day(300)), steps: [['submit', 'staff'], ['defer', 'manager', { comment: '当面様子を見る：相手国側の体制が整うまで保留' }]] },
    ];

    const actorOf = (organisationKey: string, who: 'staff' | 'manager') => {
      const user = users.find((u) => u.email === `${who}@${organisationKey}.example`);
      if (!user) throw new Error(`demo user ${who}@${organisationKey}.example is missing`);
      return { userId: user.id, organisationId: user.organisationId, roles: user.roles, operator: false, organisationKind: user.kind };
    };
    const as = <T>(organisationKey: string, who: 'staff' | 'manager', work: () => Promise<T>) =>
      runWithContext({ requestId: randomUUID(), locale: 'ja', actor: actorOf(organisationKey, who) }, work);

    for (const story of stories) {
      const data = Object.fromEntries(Object.entries(story.data).filter(([, v]) => v !== undefined));
      let current = await as(story.organisation, 'staff', () => this.cases.create({ program: story.program, data }));
      for (const [action, who, extra] of story.steps) {
        this.logger.debug(`${story.program} "${current.title}": ${action} by ${who}`);
        const next =
          who === 'system'
            ? await this.cases.actAsSystem(current.id, action)
            : await as(story.organisation, who, () => this.cases.act(current.id, action, { version: current.version, comment: extra?.comment ?? (action === 'return' ? '確認しました' : undefined), data: extra?.data, override: extra?.override }));
        if (!next) throw new Error(`demo: ${story.program} ${action} did nothing`);
        current = next;
      }
    }
    this.logger.log(`demo cases seeded: ${stories.length} cases over ${new Set(stories.map((s) => s.program)).size} programs, ${calls.size} JICA calls for FY${fy}`);
  }
}
