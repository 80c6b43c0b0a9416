import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, totalmem, release } from 'node:os';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Client } from 'pg';

/**
 * pgbench from the system's PostgreSQL client (the embedded server does not ship it): on PATH, or
 * in Debian's /usr/lib/postgresql/<version>/bin. Its version is printed in the report.
 */
export function findPgbench(): string {
  const onPath = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'pgbench'));
  const debian = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort().reverse().map((v) => join('/usr/lib/postgresql', v, 'bin', 'pgbench')) : [];
  const found = [...onPath, ...debian].find((candidate) => existsSync(candidate));
  if (!found) throw new Error('pgbench not found: install the PostgreSQL client tools (Debian: apt-get install -y postgresql-client)');
  return found;
}

function packageVersion(name: string): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** What a reader needs to compare two reports: machine, software versions, settings. */
export async function describeMachine(databaseUrl: string, redisVersion: string): Promise<string[]> {
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  const [{ version }] = (await sql.query<{ version: string }>('SELECT version()')).rows;
  const settings = (await sql.query<{ name: string; setting: string }>(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'max_connections', 'track_commit_timestamp')`)).rows;
  await sql.end();
  const cpu = cpus();
  return [
    `- machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}`,
    `- Node.js ${process.version}; PostgreSQL: ${version.split(',')[0]} (${settings.map((s) => `${s.name}=${s.setting}`).join(', ')}); Redis ${redisVersion}`,
    `- packages: @nestjs/core ${packageVersion('@nestjs/core')}, fastify ${packageVersion('fastify')}, pg ${packageVersion('pg')}, typeorm ${packageVersion('typeorm')}, bullmq ${packageVersion('bullmq')}, autocannon ${packageVersion('autocannon')}`,
    `- pgbench: ${execFileSync(findPgbench(), ['--version']).toString().trim()}`,
    // wrk prints its version with its usage and exits 1.
    `- wrk: ${spawnSync('wrk', ['--version']).stdout?.toString().split('\n')[0].trim() || 'not installed'}`,
  ];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The nearest-rank percentile (0 < p ≤ 100) of values sorted ascending; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * BENCH_PG_STATEMENTS=1 (the server then loads pg_stat_statements): `reset` before a measured part,
 * `report` after it writes the statements that cost PostgreSQL the most to stderr, with their mean
 * planning and execution times.
 */
export const pgStatements = {
  wanted: process.env.BENCH_PG_STATEMENTS === '1',
  async reset(sql: Client): Promise<void> {
    if (!this.wanted) return;
    await sql.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await sql.query('SELECT pg_stat_statements_reset()');
  },
  async report(sql: Client, label: string): Promise<void> {
    if (!this.wanted) return;
    const { rows } = await sql.query<{ calls: string; plan: number; exec: number; mean: number; query: string }>(
      `SELECT calls, round(total_plan_time::numeric, 0)::float AS plan, round(total_exec_time::numeric, 0)::float AS exec,
              round(((total_plan_time + total_exec_time) / greatest(calls, 1))::numeric, 3)::float AS mean,
              left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 140) AS query
         FROM pg_stat_statements ORDER BY total_plan_time + total_exec_time DESC LIMIT 20`,
    );
    for (const row of rows) process.stderr.write(`${label} statement: calls ${row.calls}, planning ${row.plan} ms, executing ${row.exec} ms, ${row.mean} ms each: ${row.query}\n`);
  },
};

/** A fresh directory for pgbench's per-transaction log (`-l --log-prefix <dir>/log`). */
export function pgbenchLogDirectory(directory: string): string {
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  return directory;
}

/** The latencies (ms, sorted) of every transaction in pgbench's per-transaction logs in `directory`. */
export function pgbenchLatencies(directory: string): number[] {
  const latencies: number[] = [];
  // Each line: client, transaction number, latency in µs, …
  for (const file of readdirSync(directory)) for (const line of readFileSync(join(directory, file), 'utf8').split('\n')) if (line) latencies.push(Number(line.split(' ')[2]) / 1000);
  return latencies.sort((a, b) => a - b);
}
