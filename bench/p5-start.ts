/**
 * QUALITY.md P5: the all-in-one process set idles under 500 MB resident in total; `npm start` is
 * ready (health ready = 200) within 20 s on an installed tree.
 *
 * `npm start` (tools/start.js) runs as a developer meets it, with a fresh shell's environment: no
 * DATABASE_URL, no Redis where it looks and no SMTP_URL, so it starts its embedded PostgreSQL, a
 * redis-server and the mail catcher besides the API, the worker and the notifier, on free ports
 * with its own data directory. Twice: the first start creates the database and seeds the demo; the
 * second, on the same data, is the one the bar is about ("an installed tree"). Each start is timed
 * from the spawn to the API's first 200 on /api/v1/health/ready (polled every 50 ms).
 *
 * After the second start the set idles for 30 s, and then every process of the launcher's tree
 * (found through /proc by parent) is read: its proportional set size (PSS, /proc/<pid>/smaps_rollup:
 * a page shared by n processes counts 1/n in each, so the sum is what the set holds in memory;
 * PostgreSQL's backends share its buffers) is the verdict, and the plain RSS sum (which counts
 * shared pages again in every process) is shown beside it. The run ends with Ctrl-C (SIGINT) as a
 * developer ends it. One round: BENCH_SECONDS and BENCH_ROUNDS do not apply.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { delay, findFreePort } from '@koryu/devstack';
import type { BenchOptions } from './lib/services';
import { procKb } from './lib/memory';

const ROOT = resolve(__dirname, '..', '..');
const READY_BAR_MS = 20_000;
const MEMORY_BAR_MB = 500;
const IDLE_MS = 30_000;

interface ProcessMemory {
  pid: number;
  /** The service a node process runs, else the server's name (read while the process lives). */
  role: string;
  pssKb: number;
  rssKb: number;
}

/** A fresh shell's environment: none of this run's servers or Koryu settings. */
function cleanEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(KORYU_|DATABASE_URL|REDIS_URL|SMTP_URL|PORT|WORKER_PORT|NOTIFIER_PORT|NODE_ENV|BENCH_)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Every live process whose ancestry leads to `root`, with its memory. */
function processTree(root: number): ProcessMemory[] {
  const parentOf = new Map<number, number>();
  const nameOf = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      nameOf.set(Number(entry), stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended meanwhile
    }
  }
  const inTree = (pid: number): boolean => {
    for (let current: number | undefined = pid; current !== undefined && current > 1; current = parentOf.get(current)) if (current === root) return true;
    return false;
  };
  return [...parentOf.keys()]
    .filter(inTree)
    .map((pid) => ({ pid, role: roleOf(pid, nameOf.get(pid) ?? '?'), pssKb: procKb(`/proc/${pid}/smaps_rollup`, 'Pss') ?? 0, rssKb: procKb(`/proc/${pid}/status`, 'VmRSS') ?? 0 }));
}

/** What a process is, for the report: the service a node process runs, or the server's name. */
function roleOf(pid: number, name: string): string {
  if (name !== 'node' && name !== 'MainThread') return name.startsWith('postgres') ? 'postgres' : name;
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    const service = /apps\/(api|worker|notifier)\/main\.js/.exec(command)?.[1];
    if (service) return `node: ${service}`;
    if (command.includes('start.js')) return 'node: npm start (the launcher)';
    if (command.includes('maildev')) return 'node: mail catcher (MailDev)';
    return `node: ${command.slice(0, 60)}`;
  } catch {
    return name;
  }
}

interface Start {
  child: ChildProcess;
  readyMs: number;
  output(): string;
  exited: Promise<void>;
}

async function npmStart(env: NodeJS.ProcessEnv, port: number): Promise<Start> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'tools', 'start.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${output.slice(-2000)}`);
    const ready = await fetch(`http://127.0.0.1:${port}/api/v1/health/ready`).then((r) => r.status === 200, () => false);
    if (ready) break;
    if (performance.now() - started > 180_000) throw new Error(`npm start was not ready within 180 s:\n${output.slice(-2000)}`);
    await delay(50);
  }
  return { child, readyMs: performance.now() - started, output: () => output, exited };
}

async function stop(start: Start): Promise<void> {
  start.child.kill('SIGINT');
  await start.exited;
}

export async function runP5(options: BenchOptions): Promise<{ lines: string[]; passed: boolean }> {
  const port = await findFreePort();
  const env = cleanEnvironment({
    KORYU_DATA_DIR: join(options.workDir, 'p5-data'),
    PORT: String(port),
    WORKER_PORT: String(await findFreePort()),
    NOTIFIER_PORT: String(await findFreePort()),
    // Nothing answers there: the launcher starts its own redis-server on that port.
    REDIS_URL: `redis://127.0.0.1:${await findFreePort()}`,
  });

  process.stderr.write('P5: first start (creates the database, seeds the demo) …\n');
  const first = await npmStart(env, port);
  await stop(first);
  process.stderr.write(`P5: first start ready in ${(first.readyMs / 1000).toFixed(1)} s; second start on the same data …\n`);
  const second = await npmStart(env, port);
  let tree: ProcessMemory[];
  try {
    await delay(IDLE_MS);
    tree = processTree(second.child.pid ?? 0);
  } finally {
    await stop(second);
  }

  const byRole = new Map<string, { count: number; pssKb: number; rssKb: number }>();
  for (const { role, pssKb, rssKb } of tree) {
    const sum = byRole.get(role) ?? { count: 0, pssKb: 0, rssKb: 0 };
    byRole.set(role, { count: sum.count + 1, pssKb: sum.pssKb + pssKb, rssKb: sum.rssKb + rssKb });
  }
  const mb = (kb: number) => kb / 1024;
  const totalPss = mb(tree.reduce((sum, p) => sum + p.pssKb, 0));
  const totalRss = mb(tree.reduce((sum, p) => sum + p.rssKb, 0));
  const nodePss = mb(tree.filter((p) => p.role.startsWith('node')).reduce((sum, p) => sum + p.pssKb, 0));
  const passed = second.readyMs <= READY_BAR_MS && totalPss <= MEMORY_BAR_MB && tree.length > 0;

  const lines = [
    '## P5: npm start, ready and idle',
    '',
    `Bar: ready (health ready = 200) within ${READY_BAR_MS / 1000} s on an installed tree; the whole process set idles under ${MEMORY_BAR_MB} MB resident. **${passed ? 'Met' : 'Missed'}: ready in ${(second.readyMs / 1000).toFixed(1)} s, ${totalPss.toFixed(0)} MB (PSS) after ${IDLE_MS / 1000} s idle.**`,
    '',
    '| start | ready after |',
    '|---|---|',
    `| first (creates the database, seeds the demo) | ${(first.readyMs / 1000).toFixed(1)} s |`,
    `| **second, on the same data (the bar)** | **${(second.readyMs / 1000).toFixed(1)} s** |`,
    '',
    `Memory of every process of the second start's tree after ${IDLE_MS / 1000} s idle:`,
    '',
    '| process | count | PSS | RSS |',
    '|---|---|---|---|',
    ...[...byRole.entries()].sort((a, b) => b[1].pssKb - a[1].pssKb).map(([role, sum]) => `| ${role} | ${sum.count} | ${mb(sum.pssKb).toFixed(1)} MB | ${mb(sum.rssKb).toFixed(1)} MB |`),
    `| **total** | ${tree.length} | **${totalPss.toFixed(1)} MB** | ${totalRss.toFixed(1)} MB |`,
    '',
    `- The Node.js processes (launcher and services) hold ${nodePss.toFixed(1)} MB of it; the rest is the embedded PostgreSQL, redis-server and whatever else the launcher started.`,
    '- PSS (proportional set size) counts a page shared by n processes as 1/n in each, so the sum is what the set holds; the RSS sum counts shared pages (PostgreSQL\'s shared buffers, the Node.js binary) once per process and overstates it.',
    '- Both starts ran with a fresh shell\'s environment (no DATABASE_URL, REDIS_URL or SMTP_URL) and their own data directory and ports; each ended with SIGINT, as Ctrl-C ends it.',
    '',
    'Commands:',
    '',
    '```',
    'KORYU_DATA_DIR=<dir> PORT=<port> npm start   # node tools/start.js, twice on the same data directory',
    'curl http://127.0.0.1:<port>/api/v1/health/ready   # polled every 50 ms from the spawn',
    'grep Pss /proc/<pid>/smaps_rollup; grep VmRSS /proc/<pid>/status   # every process of the tree, after 30 s idle',
    '```',
  ];
  return { lines, passed };
}
