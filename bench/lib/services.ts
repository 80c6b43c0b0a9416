import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { delay, SERVICE_NODE_FLAGS } from '@koryu/devstack';

/** What bench/run.ts hands every benchmark. */
export interface BenchOptions {
  /** PostgreSQL server URL without a database name; each benchmark creates its own database. */
  serverUrl: string;
  /** The PostgreSQL server's data directory (its postmaster.pid), for CPU accounting. */
  postgresDataDir: string;
  redisUrl: string;
  workDir: string;
  seconds: number;
  rounds: number;
}

/** One JSON request to the API; throws with the status and body on anything but 2xx. */
export async function http<T>(base: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * Starts a built service (a .js file) as a child process with its output in `<workDir>/<name>.log`.
 * Its stdin is a pipe: the bench's own entry points (p1-api.js) exit when it closes.
 */
export function startService(name: string, script: string, env: NodeJS.ProcessEnv, workDir: string, nodeArgs: string[] = []): ChildProcess {
  const log = openSync(join(workDir, `${name}.log`), 'a');
  return spawn(process.execPath, [...nodeArgs, script], { stdio: ['pipe', log, log], env: { ...process.env, ...env } });
}

/**
 * Node.js flags for a Koryu service under the benchmark: the ones `npm start` gives it
 * (SERVICE_NODE_FLAGS), with BENCH_PROFILE=1 a V8 CPU profile written to the work directory as
 * CPU.<date>.<pid>.cpuprofile (open it in Chrome DevTools), and BENCH_NODE_ARGS (space-separated
 * flags, for an A/B of a flag) last.
 */
export function serviceNodeArgs(service: keyof typeof SERVICE_NODE_FLAGS, workDir: string): string[] {
  const profile = process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${workDir}`] : [];
  return [...SERVICE_NODE_FLAGS[service], ...profile, ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
}

/** Waits until `url` answers 200 (30 s at most), or the process exits; its log is `<workDir>/<name>.log`. */
export async function waitUntilAnswering(name: string, url: string, child: ChildProcess, workDir: string, headers: Record<string, string> = {}): Promise<void> {
  for (let i = 0; ; i += 1) {
    if (await fetch(url, { headers }).then((r) => r.status === 200, () => false)) return;
    if (i > 300 || child.exitCode !== null) throw new Error(`${name} did not answer ${url}; see ${join(workDir, `${name}.log`)}`);
    await delay(100);
  }
}

/** Waits until `<base>/api/v1/health/ready` answers 200 (30 s at most), or the process exits. */
export function waitUntilReady(name: string, base: string, child: ChildProcess, workDir: string): Promise<void> {
  return waitUntilAnswering(name, `${base}/api/v1/health/ready`, child, workDir);
}

/** SIGTERM, then waits for the process to exit. */
export async function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Runs task(0) … task(count - 1) with `clients` of them in flight at a time. */
export async function inParallel(count: number, clients: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const client = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(clients, count) }, client));
}

/** A fresh database of the bench's PostgreSQL server (dropped first if an earlier run left it); answers its URL. */
export async function freshDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new Client({ connectionString: `${serverUrl}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return `${serverUrl}/${name}`;
}
