/**
 * `npm start` as a developer meets it: with no DATABASE_URL, no running Redis and no SMTP_URL it
 * starts an embedded PostgreSQL, a redis-server and the mail catcher, every service, seeds the demo
 * and prints the logins; restarts a killed service; stops everything on Ctrl-C; reuses the data on
 * the next start.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isPortOpen } from '@koryu/devstack';
import { DEMO_ACCOUNTS, DEMO_ORGANISATIONS, DEMO_OTHER_PREFECTURES, DEMO_PASSWORD } from '@koryu/persistence';
import { freePort, HttpClient, isAlive, waitForStatus, waitUntil } from '@koryu/testing';

const ROOT = resolve(__dirname, '..', '..');

interface Launch {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function npmStart(env: Record<string, string>): Launch {
  const child = spawn(process.execPath, [join(ROOT, 'tools', 'start.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return { child, output: () => output, exited: new Promise((done) => child.once('exit', (code) => done(code))) };
}

/** The environment of a fresh shell: none of the test run's server URLs. */
function cleanEnvironment(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(KORYU_|DATABASE_URL|REDIS_URL|SMTP_URL|PORT|JEST|NODE_ENV)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

describe('npm start', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let launch: Launch | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'koryu-npm-start-'));
    env = cleanEnvironment({
      KORYU_DATA_DIR: dataDir,
      PORT: String(await freePort()),
      WORKER_PORT: String(await freePort()),
      NOTIFIER_PORT: String(await freePort()),
      // A local address where nothing answers: the launcher starts redis-server there.
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    });
  });

  afterAll(async () => {
    if (launch && launch.child.exitCode === null) {
      launch.child.kill('SIGINT');
      await launch.exited;
    }
  });

  it('brings the whole system up with a demo login that works, and prints the URLs and logins', async () => {
    launch = npmStart(env);
    await waitUntil(() => launch!.output().includes('Press Ctrl-C') || launch!.child.exitCode !== null, 120_000, 'the start banner');
    const output = launch.output();
    expect(output).toContain(`http://localhost:${env.PORT}`);
    expect(output).toContain(`${DEMO_PASSWORD}`);
    for (const account of DEMO_ACCOUNTS) expect(output).toContain(account.email);

    const http = new HttpClient(`http://127.0.0.1:${env.PORT}`);
    expect((await http.get('/api/v1/health/ready')).status).toBe(200);
    const token = await http.login('manager@okinawa.example', DEMO_PASSWORD);
    const me = await http.get('/api/v1/me', { token });
    expect(me.body).toMatchObject({ email: 'manager@okinawa.example', roles: ['manager'] });

    // The API logs each request as one JSON line with its request id, and never the password or the token.
    const requestId = me.headers.get('x-request-id');
    const apiLog = () => readFileSync(join(dataDir, 'logs', 'api.log'), 'utf8');
    const logged = () => apiLog().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    await waitUntil(() => logged().some((line) => line.reqId === requestId), 10_000, 'the request in the API log');
    expect(logged().find((line) => line.reqId === requestId)).toMatchObject({ msg: 'request completed', service: 'api', method: 'GET', url: '/api/v1/me', statusCode: 200 });
    expect(apiLog()).not.toContain(DEMO_PASSWORD);
    expect(apiLog()).not.toContain(token);

    // The web UI is served where the banner says.
    const webUrl = /Web UI\s+(http:\/\/\S+)/.exec(output)?.[1];
    expect(webUrl).toBe(`http://localhost:${env.PORT}/`);
    const ui = await http.get('/');
    expect([ui.status, ui.text]).toEqual([200, expect.stringContaining('<div id="app">')]);

    // The mail catcher's web view is up where the banner says.
    const mailUrl = /Mail catcher\s+(http:\/\/\S+)/.exec(output)?.[1];
    expect(mailUrl).toBeDefined();
    const page = await fetch(mailUrl!, { headers: { accept: 'text/html' } });
    expect([page.status, (await page.text()).toLowerCase()]).toEqual([200, expect.stringContaining('<html')]);
  });

  it('restarts a killed service while the others stay up', async () => {
    const state = () => JSON.parse(readFileSync(join(dataDir, 'launcher.json'), 'utf8')) as { services: Record<string, { pid: number }> };
    const before = state().services.worker.pid;
    process.kill(before, 'SIGKILL');
    await waitForStatus(`http://127.0.0.1:${env.PORT}/api/v1/health/ready`, 5_000);
    await waitUntil(() => state().services.worker.pid !== before, 15_000, 'a new worker process');
    await waitForStatus(`http://127.0.0.1:${env.WORKER_PORT}/api/v1/health/ready`, 30_000);
    expect(launch!.output()).toMatch(/worker exited \(SIGKILL\); restarting/);
  });

  it('stops everything on Ctrl-C: no service, postgres, redis or mail catcher left behind', async () => {
    const state = JSON.parse(readFileSync(join(dataDir, 'launcher.json'), 'utf8')) as { services: Record<string, { pid: number }>; mail: string };
    const postgresPid = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const redisPort = Number(new URL(env.REDIS_URL).port);
    const mailPort = Number(new URL(state.mail).port);
    launch!.child.kill('SIGINT');
    expect(await launch!.exited).toBe(0);
    expect(launch!.output()).toContain('Stopped.');
    for (const { pid } of Object.values(state.services)) expect([pid, isAlive(pid)]).toEqual([pid, false]);
    expect(isAlive(postgresPid)).toBe(false);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
    expect(await isPortOpen('127.0.0.1', redisPort)).toBe(false);
    expect(await isPortOpen('127.0.0.1', mailPort)).toBe(false);
    expect(await isPortOpen('127.0.0.1', Number(env.PORT))).toBe(false);
  });

  it('reuses the data on the next start: same organisations, no second demo seed', async () => {
    launch = npmStart(env);
    await waitUntil(() => launch!.output().includes('Press Ctrl-C') || launch!.child.exitCode !== null, 120_000, 'the start banner');
    const http = new HttpClient(`http://127.0.0.1:${env.PORT}`);
    const token = await http.login('operator@koryu.example', DEMO_PASSWORD);
    try {
      const organisations = await http.get<unknown[]>('/api/v1/organisations', { token });
      expect(organisations.status).toBe(200);
      expect(organisations.body).toHaveLength(DEMO_ORGANISATIONS.length + DEMO_OTHER_PREFECTURES.length);
      const staff = await http.login('staff@kitakyushu.example', DEMO_PASSWORD);
      const cases = await http.get<{ items: { title: string }[] }>('/api/v1/cases?pageSize=200', { token: staff });
      const titles = cases.body.items.map((c) => c.title);
      expect(titles.length).toBeGreaterThan(0);
      expect(new Set(titles).size).toBe(titles.length);
    } finally {
      launch.child.kill('SIGINT');
    }
    expect(await launch.exited).toBe(0);
  });

  it('without redis-server on PATH, exits with one message saying how to install it', async () => {
    const emptyPath = mkdtempSync(join(tmpdir(), 'koryu-no-redis-'));
    const failed = npmStart({ ...env, PATH: emptyPath, KORYU_DATA_DIR: mkdtempSync(join(tmpdir(), 'koryu-npm-start-')), DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(await failed.exited).toBe(1);
    expect(failed.output()).toMatch(/no redis-server is on PATH.*apt-get install redis-server.*brew install redis/);
  });
});
