/**
 * `npm run bench [-- p1 …]`: the QUALITY.md performance bars, each measured against the raw
 * PostgreSQL/Redis figure taken in the same run, on throwaway servers with production durability.
 * Writes one Markdown report per run to bench/results/ with the machine, versions and commands.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureRedis, findFreePort, startEmbeddedPostgres } from '@koryu/devstack';
import { describeMachine } from './lib/environment';
import type { BenchOptions } from './lib/services';
import { runP1 } from './p1-transitions';
import { runP2 } from './p2-events';
import { runP3 } from './p3-reminders';
import { runP4 } from './p4-lists';
import { runP5 } from './p5-start';
import { runP6 } from './p6-web';
import { runP7 } from './p7-rebuild';
import { runR8 } from './r8-soak';

/** What earlier benchmarks of the same run measured, for later ones (P2 runs at half the P1 rate). */
interface RunSoFar {
  p1Rate?: number;
}

type Bench = (options: BenchOptions, soFar: RunSoFar) => Promise<{ lines: string[]; passed: boolean; rate?: number }>;

const BENCHES: Record<string, Bench> = {
  p1: async (options, soFar) => {
    const result = await runP1(options);
    soFar.p1Rate = result.rate;
    return result;
  },
  p2: (options, soFar) => runP2({ ...options, p1Rate: soFar.p1Rate }),
  p3: (options) => runP3(options),
  p4: (options) => runP4(options),
  p5: (options) => runP5(options),
  p6: (options) => runP6(options),
  p7: (options) => runP7(options),
  r8: (options) => runR8(options),
};

/** The switches of this run: the seconds and rounds, and every other BENCH_ variable set. */
function switches(seconds: number, rounds: number): string {
  const others = Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_') && name !== 'BENCH_SECONDS' && name !== 'BENCH_ROUNDS')
    .map(([name, value]) => `${name}=${value}`)
    .sort();
  return [`BENCH_SECONDS=${seconds}`, `BENCH_ROUNDS=${rounds}`, ...others].join(', ');
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  // The R8 soak (ten minutes) runs when named.
  const names = wanted.length > 0 ? wanted : Object.keys(BENCHES).filter((name) => name !== 'r8');
  const unknown = names.filter((n) => !(n in BENCHES));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
  const seconds = Number(process.env.BENCH_SECONDS ?? 20);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

  const workDir = mkdtempSync(join(tmpdir(), 'koryu-bench-'));
  process.stderr.write(`bench: work directory ${workDir}\n`);
  const postgresDataDir = join(workDir, 'pg');
  // BENCH_PG_STATEMENTS=1: P2 also lists the statements that cost PostgreSQL the most (pg_stat_statements), on stderr.
  // Commit timestamps let P2 time each event from the commit of its transition to the commit of its notification.
  // BENCH_PG_SETTINGS='name=value name=value': server settings for an A/B (named in the report's command line).
  const extraSettings = (process.env.BENCH_PG_SETTINGS ?? '').split(/\s+/).filter(Boolean);
  const statements = process.env.BENCH_PG_STATEMENTS === '1' ? ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track_planning=on'] : [];
  const postgres = await startEmbeddedPostgres({ dataDir: postgresDataDir, persistent: false, durable: true, database: 'postgres', settings: ['track_commit_timestamp=on', ...statements, ...extraSettings] });
  const redis = await ensureRedis({ url: `redis://127.0.0.1:${await findFreePort()}`, dataDir: join(workDir, 'redis'), persistent: false });
  const serverUrl = postgres.url.replace(/\/postgres$/, '');
  try {
    const redisVersion = /redis_version:(\S+)/.exec(execFileSync('redis-cli', ['-u', redis.url, 'INFO', 'server']).toString())?.[1] ?? 'unknown';
    const sections: string[] = [];
    const verdicts: string[] = [];
    const soFar: RunSoFar = {};
    for (const name of names) {
      const { lines, passed } = await BENCHES[name]({ serverUrl, postgresDataDir, redisUrl: redis.url, workDir, seconds, rounds }, soFar);
      sections.push(...lines, '');
      verdicts.push(`${name.toUpperCase()} ${passed ? 'met' : 'MISSED'}`);
    }
    const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
    const report = [
      `# Benchmark run ${new Date().toISOString()}`,
      '',
      `Command: \`npm run bench${wanted.length ? ` -- ${wanted.join(' ')}` : ''}\` (${switches(seconds, rounds)}). Verdicts: ${verdicts.join(', ')}.`,
      '',
      ...(await describeMachine(postgres.url, redisVersion)),
      '- servers: throwaway embedded PostgreSQL with production durability (fsync and synchronous_commit on) and commit timestamps recorded (for P2), and redis-server without persistence, on the same machine as the load generators',
      '',
      ...sections,
    ].join('\n');
    const directory = resolve(__dirname, '..', '..', 'bench', 'results');
    mkdirSync(directory, { recursive: true });
    const file = join(directory, `${stamp}-${names.join('-')}.md`);
    writeFileSync(file, `${report}\n`);
    process.stdout.write(`${report}\n\nReport written to ${file}\n`);
  } finally {
    await redis.stop();
    await postgres.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
