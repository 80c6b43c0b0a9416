/**
 * QUALITY.md P4: with 1,000,000 cases (all 1,788 municipalities and 47 prefectures, ten fiscal
 * years), a filtered list page, the inbox and one case's detail take p95 ≤ max(10 ms, 5 × the raw
 * SQL p95 of the same query) at 8 clients, and the figure at 1M is within 2× of the figure at 10k;
 * no sequential scan in the plans; a deep page (page 200) within 2× of page 1.
 *
 * - Fixtures are bulk-loaded in SQL into the API's own schema: 1,835 organisations (47
 *   prefectures, 1,788 municipalities), one user in each besides the measured prefecture's two
 *   (created through the API), and cases of every program the API runs, in states of their
 *   definitions, over fiscal years 2017–2026 and ten years of `updated_at`; the first 10,000 are
 *   open (in any state), every later one closed (a terminal state). Half the cases belong
 *   to the prefectures (about 10,600 each at 1M), half to the municipalities (about 280 each), so
 *   a prefecture's list is deep enough for page 200 at 50 a page.
 * - The requests are the measured prefecture's staff member's (list, detail, pages) and manager's
 *   (inbox), through the API process, with wrk at 8 connections (2 threads) for BENCH_SECONDS
 *   each, after 3 unmeasured seconds of the same request (warm-up); p95 from wrk's latency
 *   histogram.
 * - Raw: pgbench at 8 clients (2 threads) runs the statements the API sends for the same request
 *   (the repository's text and the same values), prepared, for the same time; p95 from its
 *   per-transaction log.
 * - Loaded in three steps (10k, 100k, 1M cases; VACUUM ANALYZE after each), measured at each.
 * - EXPLAIN of every statement at the largest size: no Seq Scan node.
 * - Deep page: page 200 through the `cursor` the API hands out (walked to once), against page 1;
 *   OFFSET paging (`page=200`) is shown beside it.
 * One round per size: BENCH_ROUNDS does not apply. BENCH_P4_MAX=100000 stops at 100k (a trial).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { findFreePort } from '@koryu/devstack';
import { CASE_COLUMNS, caseListSql, DEADLINE_FIELDS, DEADLINES_OF_CASE, visibleTo } from '@koryu/casework';
import { INBOX_CASES_SQL, INBOX_SURVEYS_SQL } from '../apps/api/cases/inbox.controller';
import { findPgbench, percentile, pgbenchLatencies, pgbenchLogDirectory } from './lib/environment';
import { petitioners, serviceEnvironment } from './lib/petition';
import { type BenchOptions, freshDatabase, http, serviceNodeArgs, startService, stopService, waitUntilReady } from './lib/services';

const run = promisify(execFile);
const SIZES = [10_000, 100_000, 1_000_000].filter((n) => n <= Number(process.env.BENCH_P4_MAX ?? 1_000_000));
const CLIENTS = 8;
const PAGE_SIZE = 50;
const FLOOR_MS = 10;

interface Program {
  key: string;
  version: number;
  states: { key: string; terminal: boolean }[];
}

/** One measured request: the API's path and the SQL the API sends for it, with its values. */
interface Probe {
  name: string;
  path: string;
  token: string;
  /** Statements in the order the API sends them; `$n` placeholders bound from `values`. */
  statements: { text: string; values: unknown[] }[];
}

interface Figures {
  api: { p50: number; p95: number; rps: number; non2xx: number };
  raw: { p95: number; tps: number };
}

const WRK_SCRIPT = String.raw`
local path, token = nil, nil
function init(args) path = args[1]; token = args[2] end
function request() return wrk.format("GET", path, { authorization = "Bearer " .. token }) end
function done(summary, latency, requests)
  io.write(string.format("p50 %d\np95 %d\nerrors %d\n", latency:percentile(50), latency:percentile(95), summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
`;

/** A value as pgbench's -D gives it to a prepared statement's parameter (text, cast by the statement). */
function pgbenchValue(value: unknown): string {
  if (Array.isArray(value)) return `{${value.map((v) => `"${String(v)}"`).join(',')}}`;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

const WARM_UP_SECONDS = 3;

async function wrkP95(base: string, probe: Probe, seconds: number, workDir: string): Promise<Figures['api']> {
  const script = join(workDir, 'p4-get.lua');
  writeFileSync(script, WRK_SCRIPT);
  const { stdout } = await run('/usr/bin/wrk', ['-t2', `-c${CLIENTS}`, `-d${seconds}s`, '-s', script, base, '--', probe.path, probe.token], { maxBuffer: 1 << 20 });
  const number = (pattern: RegExp) => Number(pattern.exec(stdout)?.[1]);
  return { p50: number(/^p50 (\d+)/m) / 1000, p95: number(/^p95 (\d+)/m) / 1000, rps: number(/Requests\/sec:\s+([\d.]+)/), non2xx: number(/^errors (\d+)/m) };
}

async function pgbenchP95(url: string, probe: Probe, seconds: number, workDir: string): Promise<Figures['raw']> {
  // pgbench names variables, not positions: $n becomes :v<statement>_<n>.
  const defines: string[] = [];
  const script = probe.statements
    .map(({ text, values }, s) => {
      values.forEach((value, i) => defines.push('-D', `v${s}_${i + 1}=${pgbenchValue(value)}`));
      return `${text.replace(/\$(\d+)/g, (_, n: string) => `:v${s}_${n}`).replace(/\s+/g, ' ').trim()};`;
    })
    .join('\n');
  const scriptPath = join(workDir, `p4-${probe.name}.sql`);
  writeFileSync(scriptPath, `${script}\n`);
  const logDir = pgbenchLogDirectory(join(workDir, `p4-log-${probe.name}`));
  const { stdout } = await run(findPgbench(), ['-n', '-M', 'prepared', '-c', String(CLIENTS), '-j', '2', '-T', String(seconds), '-l', '--log-prefix', join(logDir, 'log'), ...defines, '-f', scriptPath, url], { maxBuffer: 1 << 20 });
  const latencies = pgbenchLatencies(logDir);
  return { p95: percentile(latencies, 95), tps: Number(/tps = ([\d.]+)/.exec(stdout)?.[1]) };
}

/** The list statement as CaseRepository.list sends it (its own builder), first page or after a position. */
function listText(filters: string[], after: boolean): string {
  const n = 1 + filters.length;
  const position = after ? `(c.updated_at, c.id) < (timestamptz 'epoch' + $${n + 1}::bigint * interval '1 microsecond', $${n + 2}::uuid)` : undefined;
  return caseListSql(filters, position, after ? n + 3 : n + 1);
}
const DEADLINES_TEXT = `SELECT ${DEADLINE_FIELDS} FROM case_deadline d WHERE d.case_id = ANY ($1::uuid[]) ORDER BY d.due_at, d.key`;

export async function runP4(options: BenchOptions): Promise<{ lines: string[]; passed: boolean }> {
  const databaseUrl = await freshDatabase(options.serverUrl, 'koryu_p4');
  const port = await findFreePort();
  const base = `http://127.0.0.1:${port}`;
  const api = startService('p4-api', join(__dirname, 'p1-api.js'), { ...serviceEnvironment(databaseUrl, options.redisUrl), PORT: String(port), KORYU_DATA_DIR: join(options.workDir, 'p4-api') }, options.workDir, serviceNodeArgs('api', options.workDir));
  const sql = new Client({ connectionString: databaseUrl });
  try {
    await waitUntilReady('p4-api', base, api, options.workDir);
    const { tokens, userIds } = await petitioners(base, { name: '東京都', kind: 'prefecture', code: '130001' });
    const programs = await http<Program[]>(base, 'GET', '/api/v1/programs', undefined, tokens.staff);
    await sql.connect();
    const [tokyo] = (await sql.query<{ id: string }>(`SELECT organisation_id AS id FROM app_user WHERE id = $1`, [userIds.staff])).rows;

    // Organisations, a user in each (the API's hash of a bench password), and the program table the loader draws from.
    await sql.query(`INSERT INTO organisation (name, kind, code) SELECT '都道府県 ' || g, 'prefecture', 'BP' || g FROM generate_series(1, 46) AS g`);
    await sql.query(`INSERT INTO organisation (name, kind, code) SELECT '市町村 ' || g, 'municipality', 'BM' || g FROM generate_series(1, 1788) AS g`);
    await sql.query(
      `INSERT INTO app_user (organisation_id, email, name, password_hash, roles)
       SELECT o.id, 'bench-' || lower(o.code) || '@koryu.test', o.name || ' 担当', (SELECT password_hash FROM app_user WHERE id = $1), '{staff}'
         FROM organisation o WHERE o.code LIKE 'B%'`,
      [userIds.staff],
    );
    await sql.query(
      `CREATE TABLE bench_org AS
       SELECT o.kind, (row_number() OVER (PARTITION BY o.kind ORDER BY o.code) - 1)::int AS n, o.id, coalesce(u.id, $2) AS user_id
         FROM organisation o LEFT JOIN app_user u ON u.organisation_id = o.id AND u.email LIKE 'bench-%'
        WHERE o.code LIKE 'B%' OR o.id = $1`,
      [tokyo.id, userIds.staff],
    );
    await sql.query('CREATE UNIQUE INDEX ON bench_org (kind, n)');
    await sql.query('CREATE TABLE bench_program (n int PRIMARY KEY, key text, version int, states text[], terminal text[])');
    for (const [n, p] of programs.entries()) {
      await sql.query('INSERT INTO bench_program VALUES ($1, $2, $3, $4, $5)', [n, p.key, p.version, p.states.map((s) => s.key), p.states.filter((s) => s.terminal).map((s) => s.key)]);
    }

    const load = async (from: number, to: number) => {
      // The first 10,000 cases are the open ones, spread over every state; every later case is
      // closed (a terminal state of its program), as a database grows by the cases it has finished:
      // what waits for someone is about as much at 1M as at 10k. A third of the cases have a deadline.
      await sql.query(
        `WITH created AS (
           INSERT INTO workflow_case (program, program_version, organisation_id, title, state, data, fiscal_year, created_by, created_at, updated_at, state_entered_at)
           SELECT p.key, p.version, o.id, '案件 ' || g,
                  CASE WHEN g > 10000 AND cardinality(p.terminal) > 0 THEN p.terminal[1 + (g / 11) % cardinality(p.terminal)]
                       ELSE p.states[1 + (g / 11) % cardinality(p.states)] END,
                  jsonb_build_object('title', '案件 ' || g), y.fy, o.user_id, t.at, t.at, t.at
             FROM generate_series($1::int, $2::int) AS g
             JOIN bench_program p ON p.n = g % (SELECT count(*) FROM bench_program)
             JOIN bench_org o ON (g % 2 = 0 AND o.kind = 'prefecture' AND o.n = (g / 2) % 47) OR (g % 2 = 1 AND o.kind = 'municipality' AND o.n = (g / 2) % 1788)
             CROSS JOIN LATERAL (SELECT 2017 + (g / 3) % 10 AS fy) y
             CROSS JOIN LATERAL (SELECT timestamptz '2017-04-01 00:00+09' + (y.fy - 2017) * interval '365 days' + ((g::bigint * 7919) % 31536000) * interval '1 second' AS at) t
           RETURNING id, updated_at)
         INSERT INTO case_deadline (case_id, key, kind, title, due_at, all_day)
         SELECT id, 'p4-milestone', 'program', '{"ja": "報告期限", "en": "Report due"}', updated_at + interval '30 days', true
           FROM created WHERE abs(hashtext(id::text)) % 3 = 0`,
        [from, to],
      );
      await sql.query('VACUUM ANALYZE case_deadline');
      await sql.query('VACUUM ANALYZE workflow_case');
    };

    const results: { size: number; figures: Map<string, Figures> }[] = [];
    let loaded = 0;
    let probes: Probe[] = [];
    for (const size of SIZES) {
      process.stderr.write(`P4: loading cases ${loaded + 1}–${size} …\n`);
      await load(loaded + 1, size);
      loaded = size;
      const tokyoCases = Number((await sql.query(`SELECT count(*) FROM workflow_case WHERE organisation_id = $1`, [tokyo.id])).rows[0].count);
      process.stderr.write(`P4: ${size} cases, ${tokyoCases} of them the measured prefecture's\n`);

      // The probes, with the values of this size (the filtered list's fiscal year and program are fixed).
      const filterProgram = programs[0];
      const filterState = filterProgram.states[0].key;
      const listPath = `/api/v1/cases?program=${filterProgram.key}&state=${filterState}&fiscalYear=2024`;
      const list = await http<{ items: { id: string }[] }>(base, 'GET', listPath, undefined, tokens.staff);
      const page1 = await http<{ items: { id: string }[]; nextCursor: string | null }>(base, 'GET', `/api/v1/cases?pageSize=${PAGE_SIZE}`, undefined, tokens.staff);
      const detailId = page1.items[0].id;
      const pages: Probe[] = [];
      // Page 200 through the cursor, walked to once (only where the list is that deep).
      let cursor = page1.nextCursor;
      for (let page = 2; page < 200 && cursor; page += 1) cursor = (await http<{ nextCursor: string | null }>(base, 'GET', `/api/v1/cases?pageSize=${PAGE_SIZE}&cursor=${cursor}`, undefined, tokens.staff)).nextCursor;
      probes = [
        {
          name: 'list',
          path: listPath,
          token: tokens.staff,
          statements: [
            { text: listText(['c.program = $2', 'c.state = $3', 'c.fiscal_year = $4'], false), values: [tokyo.id, filterProgram.key, filterState, 2024, PAGE_SIZE, 0] },
            { text: DEADLINES_TEXT, values: [list.items.map((item) => item.id)] },
          ],
        },
        {
          name: 'inbox',
          path: '/api/v1/inbox',
          token: tokens.manager,
          statements: [
            { text: INBOX_CASES_SQL, values: [tokyo.id, ...(await inboxPairs(base, tokens.manager))] },
            { text: INBOX_SURVEYS_SQL, values: [tokyo.id] },
          ],
        },
        {
          name: 'detail',
          path: `/api/v1/cases/${detailId}`,
          token: tokens.staff,
          statements: [
            {
              text: `SELECT ${CASE_COLUMNS}, CASE WHEN c.organisation_id = $2 THEN 'owner' ELSE 'invitee' END AS access, o.kind AS "ownerKind"
              , ${DEADLINES_OF_CASE}
         FROM workflow_case c JOIN organisation o ON o.id = c.organisation_id
        WHERE c.id = $1 AND ${visibleTo(2)}`,
              values: [detailId, tokyo.id],
            },
          ],
        },
        {
          name: 'page-1',
          path: `/api/v1/cases?pageSize=${PAGE_SIZE}`,
          token: tokens.staff,
          statements: [
            { text: listText([], false), values: [tokyo.id, PAGE_SIZE, 0] },
            { text: DEADLINES_TEXT, values: [page1.items.map((item) => item.id)] },
          ],
        },
      ];
      if (cursor) {
        const [micros, id] = Buffer.from(cursor, 'base64url').toString().split('.');
        const page200 = await http<{ items: { id: string }[] }>(base, 'GET', `/api/v1/cases?pageSize=${PAGE_SIZE}&cursor=${cursor}`, undefined, tokens.staff);
        pages.push(
          {
            name: 'page-200 (cursor)',
            path: `/api/v1/cases?pageSize=${PAGE_SIZE}&cursor=${cursor}`,
            token: tokens.staff,
            statements: [
              { text: listText([], true), values: [tokyo.id, micros, id, PAGE_SIZE, 0] },
                { text: DEADLINES_TEXT, values: [page200.items.map((item) => item.id)] },
            ],
          },
          {
            name: 'page-200 (OFFSET)',
            path: `/api/v1/cases?pageSize=${PAGE_SIZE}&page=200`,
            token: tokens.staff,
            statements: [
              { text: listText([], false), values: [tokyo.id, PAGE_SIZE, 199 * PAGE_SIZE] },
                { text: DEADLINES_TEXT, values: [page200.items.map((item) => item.id)] },
            ],
          },
        );
      }
      probes.push(...pages);

      const figures = new Map<string, Figures>();
      for (const probe of probes) {
        // A warm-up of 3 s (not measured), as P1 and P2 have: the API's code for this request
        // compiled, and the pages it reads in PostgreSQL's cache, before either side is timed.
        await wrkP95(base, probe, WARM_UP_SECONDS, options.workDir);
        const apiFigures = await wrkP95(base, probe, options.seconds, options.workDir);
        const rawFigures = await pgbenchP95(databaseUrl, probe, options.seconds, options.workDir);
        figures.set(probe.name, { api: apiFigures, raw: rawFigures });
        process.stderr.write(`P4 ${size}: ${probe.name} API p95 ${apiFigures.p95.toFixed(2)} ms (${apiFigures.rps.toFixed(0)} req/s), raw p95 ${rawFigures.p95.toFixed(2)} ms\n`);
      }
      results.push({ size, figures });
    }

    // Plans at the largest size: no sequential scan.
    const plans: { name: string; seqScans: string[] }[] = [];
    for (const probe of probes) {
      const seqScans: string[] = [];
      for (const { text, values } of probe.statements) {
        const [{ 'QUERY PLAN': plan }] = (await sql.query(`EXPLAIN (FORMAT JSON) ${text}`, values)).rows as { 'QUERY PLAN': unknown }[];
        const visit = (node: Record<string, unknown>) => {
          if (node['Node Type'] === 'Seq Scan') seqScans.push(String(node['Relation Name']));
          for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) visit(child);
        };
        for (const entry of plan as { Plan: Record<string, unknown> }[]) visit(entry.Plan);
      }
      plans.push({ name: probe.name, seqScans });
    }

    const first = results[0];
    const last = results[results.length - 1];
    const checks: string[] = [];
    let passed = SIZES.at(-1) === 1_000_000;
    for (const name of ['list', 'inbox', 'detail']) {
      for (const { size, figures } of results) {
        const f = figures.get(name);
        if (!f) continue;
        const bar = Math.max(FLOOR_MS, 5 * f.raw.p95);
        if (f.api.p95 > bar || f.api.non2xx > 0) {
          passed = false;
          checks.push(`${name} at ${size.toLocaleString('en')}: p95 ${f.api.p95.toFixed(2)} ms over ${bar.toFixed(2)} ms`);
        }
      }
      const grown = (last.figures.get(name)?.api.p95 ?? NaN) / (first.figures.get(name)?.api.p95 ?? NaN);
      if (!(grown <= 2)) {
        passed = false;
        checks.push(`${name}: p95 at ${last.size.toLocaleString('en')} is ${grown.toFixed(2)}× that at ${first.size.toLocaleString('en')}`);
      }
    }
    const seqScanned = plans.filter((p) => p.seqScans.length > 0);
    if (seqScanned.length > 0) passed = false;
    const deep = last.figures.get('page-200 (cursor)');
    const shallow = last.figures.get('page-1');
    const deepRatio = deep && shallow ? deep.api.p95 / shallow.api.p95 : NaN;
    if (!(deepRatio <= 2)) {
      passed = false;
      checks.push(`page 200 (cursor) p95 is ${Number.isFinite(deepRatio) ? `${deepRatio.toFixed(2)}×` : 'not measured against'} page 1`);
    }

    const names = probes.map((p) => p.name);
    const lines = [
      '## P4: lists, inbox and detail at a million cases',
      '',
      `Bar: at 8 clients, p95 ≤ max(${FLOOR_MS} ms, 5 × the raw SQL p95) for a filtered list page, the inbox and a case's detail; the figure at 1M within 2× of that at 10k; no sequential scan; page 200 within 2× of page 1. **${passed ? 'Met' : 'Missed'}${checks.length ? `: ${checks.join('; ')}` : ''}.**`,
      '',
      `| request | ${results.map((r) => `${r.size.toLocaleString('en')} cases: API p95 / raw p95 (bar)`).join(' | ')} |`,
      `|---|${results.map(() => '---|').join('')}`,
      ...names.map(
        (name) =>
          `| ${name} | ${results
            .map(({ figures }) => {
              const f = figures.get(name);
              return f ? `${f.api.p95.toFixed(2)} / ${f.raw.p95.toFixed(2)} ms (${Math.max(FLOOR_MS, 5 * f.raw.p95).toFixed(1)}); ${f.api.rps.toFixed(0)} req/s${f.api.non2xx ? `, ${f.api.non2xx} errors` : ''}` : '–';
            })
            .join(' | ')} |`,
      ),
      '',
      `- Plans at ${last.size.toLocaleString('en')} cases (EXPLAIN of every statement of every request): ${seqScanned.length === 0 ? 'no sequential scan' : seqScanned.map((p) => `${p.name}: Seq Scan on ${p.seqScans.join(', ')}`).join('; ')}.`,
      `- Deep page at ${last.size.toLocaleString('en')}: page 200 through the cursor at ${Number.isFinite(deepRatio) ? `${deepRatio.toFixed(2)}×` : '–'} page 1's p95; with OFFSET (\`page=200\`) ${last.figures.get('page-200 (OFFSET)') ? `${(last.figures.get('page-200 (OFFSET)')!.api.p95 / (shallow?.api.p95 ?? NaN)).toFixed(2)}×` : '–'}. The web UI and the CSV export page with the cursor.`,
      `- The measured prefecture holds about half a percent of the cases (${((0.5 / 47) * 100).toFixed(1)}%); the filtered list is its ${programs[0].key} cases in their first state of fiscal year 2024; the inbox is its manager's; the detail is its newest case.`,
      `- wrk runs 2 threads and 8 connections; pgbench 8 clients and 2 threads, prepared, with the statements of each request in one script (the API sends them one after another). Each request is first run for ${WARM_UP_SECONDS} s through the API, unmeasured, so neither side is timed cold.`,
      '',
      'Commands:',
      '',
      '```',
      `wrk -t2 -c${CLIENTS} -d${options.seconds}s -s p4-get.lua http://127.0.0.1:<port> -- <path> <token>`,
      `pgbench -n -M prepared -c ${CLIENTS} -j 2 -T ${options.seconds} -l -D v0_1=… -f p4-<request>.sql <database>`,
      '```',
    ];
    return { lines, passed };
  } finally {
    await sql.end().catch(() => undefined);
    await stopService(api);
  }
}

/** The (program, state) pairs the manager's inbox asks for (as two arrays), as InboxController works them out, from GET /programs. */
async function inboxPairs(base: string, token: string): Promise<[string[], string[]]> {
  const programs = await http<{ key: string; states: { key: string }[]; actions: { from: string[]; roles: string[] }[] }[]>(base, 'GET', '/api/v1/programs', undefined, token);
  const pairs = programs.flatMap((p) => p.states.filter((s) => p.actions.some((a) => a.from.includes(s.key) && a.roles.includes('manager'))).map((s) => [p.key, s.key]));
  return [pairs.map(([program]) => program), pairs.map(([, state]) => state)];
}
