/**
 * Issue 6 "Done when": a custom PT10S reminder arrives once by mail and in-app, through the real
 * path: API → outbox → worker (deadlines, scheduler, timers) → notification rows → notifier →
 * SMTP, against an `smtp-server` in this process. Mails are in the recipient's language, with
 * HTML-escaped user text and a link to the case.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type ParsedMail, simpleParser } from 'mailparser';
import { Queue } from 'bullmq';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '@koryu/config';
import { QUEUE_PREFIX, QUEUES, workerConnection } from '@koryu/queues';
import { type ApiUnderTest, startApi, TEST_ADMIN, testRedisUrl, waitUntil } from '@koryu/testing';
import { NotifierModule } from '../../apps/notifier/notifier.module';
import { WorkerModule } from '../../apps/worker/worker.module';

let api: ApiUnderTest;
let smtp: SMTPServer;
const services: INestApplicationContext[] = [];
const mails: ParsedMail[] = [];
const token: Record<string, string> = {};
const ids: Record<string, string> = {};

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream).then((mail) => {
        mails.push(mail);
        done();
      }, done);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  api = await startApi({ APP_BASE_URL: 'https://koryu.example.jp' });
  const env = (extra: Record<string, string> = {}) => ({ NODE_ENV: 'test', DATABASE_URL: api.database.url, REDIS_URL: testRedisUrl(), KORYU_DATA_DIR: mkdtempSync(join(tmpdir(), 'koryu-svc-')), LOG_LEVEL: 'silent', APP_BASE_URL: 'https://koryu.example.jp', ...extra });
  for (const module of [WorkerModule.forRoot(loadConfig('worker', env())), NotifierModule.forRoot(loadConfig('notifier', env({ SMTP_URL: `smtp://127.0.0.1:${smtpPort}` })))]) {
    const service = await NestFactory.createApplicationContext(module, { logger: false });
    await service.init();
    services.push(service);
  }

  const operator = await api.http.login(TEST_ADMIN.email, TEST_ADMIN.password);
  const organisation = (await api.http.post('/api/v1/organisations', { name: '八幡平市', kind: 'municipality', code: '032140' }, { token: operator })).body.id;
  for (const [key, roles, locale] of [
    ['staff', ['staff'], 'ja'],
    ['manager', ['manager'], 'en'],
  ] as const) {
    const created = await api.http.post('/api/v1/users', { email: `${key}@mail.test`, name: `八幡 ${key}`, password: 'password-of-twelve', organisationId: organisation, roles, locale }, { token: operator });
    expect(created.status).toBe(201);
    ids[key] = created.body.id;
    token[key] = await api.http.login(`${key}@mail.test`, 'password-of-twelve');
  }
});

afterAll(async () => {
  for (const service of services.reverse()) await service.close();
  await api.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

it('delivers a custom PT10S reminder once by mail and once in-app, to each recipient in their language', async () => {
  const title = '<b>大使</b>の出迎え & 花束';
  const created = await api.http.post(
    '/api/v1/cases',
    { program: 'ambassador-visit', data: { envoyKind: 'ambassador', postCountry: 'RW', postName: '在ルワンダ日本国大使館', purposes: ['lecture'] } },
    { token: token.staff },
  );
  const dueAt = new Date(Date.now() + 13_000).toISOString();
  const added = await api.http.post(`/api/v1/cases/${created.body.id}/deadlines`, { title, dueAt, remindBefore: ['PT10S'], notify: [ids.manager] }, { token: token.staff });
  expect(added.status).toBe(201);

  await waitUntil(async () => mails.length >= 2, 20_000, 'two reminder mails');
  expect(Date.now()).toBeGreaterThanOrEqual(new Date(dueAt).getTime() - 10_000);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect(mails).toHaveLength(2);

  const byRecipient = Object.fromEntries(mails.map((m) => [(m.to as { value: { address: string }[] }).value[0].address, m]));
  const ja = byRecipient['staff@mail.test'];
  const en = byRecipient['manager@mail.test'];
  expect(ja.subject).toBe(`期限のお知らせ：${title}`);
  expect(en.subject).toBe(`Reminder: ${title}`);
  expect(ja.text).toContain(`https://koryu.example.jp/cases/${created.body.id}`);
  expect(ja.html).toContain('&lt;b&gt;大使&lt;/b&gt;の出迎え &amp; 花束');
  expect(ja.html).not.toContain('<b>大使</b>');
  expect(ja.messageId).toMatch(/@notifications\.koryu>$/);

  for (const who of ['staff', 'manager']) {
    const inbox = (await api.http.get('/api/v1/notifications', { token: token[who] })).body;
    expect(inbox.items.filter((n: { caseId: string }) => n.caseId === created.body.id)).toHaveLength(1);
  }
});

it('sends managers one daily digest of what waits for them, however often the digest job runs', async () => {
  const { body: created } = await api.http.post(
    '/api/v1/cases',
    {
      program: 'ambassador-visit',
      data: {
        envoyKind: 'consul-general',
        postCountry: 'VN',
        postName: '在ホーチミン日本国総領事館',
        purposes: ['lecture'],
        preferredStart: '2027-02-01',
        preferredEnd: '2027-02-02',
        hostContact: { name: '八幡 花子', department: '企画財政課', phone: '0195-74-2111', email: 'kokusai@hachimantai.test' },
      },
    },
    { token: token.staff },
  );
  const submitted = await api.http.post(`/api/v1/cases/${created.id}/actions/submit`, { version: created.version }, { token: token.staff });
  expect(submitted.status).toBe(200);
  mails.length = 0;
  // 08:30 JST on Tuesday 2026-12-01: the scheduler's job, here added by hand, twice (as a retry
  // or a second replica's job would run it). Ids new to this run: Redis keeps completed jobs, and
  // a test Redis reused from an earlier run would take a known id as already done.
  const timers = new Queue(QUEUES.timers, { connection: workerConnection(testRedisUrl()), prefix: QUEUE_PREFIX });
  try {
    for (const copy of ['a', 'b']) await timers.add('digest', { date: '2026-12-01' }, { jobId: `digest-2026-12-01-test-${copy}-${randomUUID()}` });
  } finally {
    await timers.close();
  }
  await waitUntil(async () => mails.some((m) => m.subject?.includes('waiting for you today')), 15_000, 'the digest mail');
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const digests = mails.filter((m) => m.subject?.includes('waiting for you today'));
  expect(digests).toHaveLength(1);
  expect((digests[0].to as { value: { address: string }[] }).value[0].address).toBe('manager@mail.test');
  expect(digests[0].subject).toBe('1 waiting for you today (2026-12-01)');
  expect(digests[0].text).toContain('在ホーチミン日本国総領事館 総領事の訪問 (Ambassador visit to the region / Internal review)'.replace(' (', '（').replace(')', '）'));
});
