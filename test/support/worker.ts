import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@koryu/config';
import { testRedisUrl } from '@koryu/testing';
import { WorkerModule, type WorkerOptions } from '../../apps/worker/worker.module';

/** The worker (relay, consumers, scheduler, timers) in this test process, as `node dist/apps/worker/main.js` runs it. */
export async function startWorker(databaseUrl: string, { redisUrl = testRedisUrl(), ...options }: WorkerOptions & { redisUrl?: string } = {}): Promise<INestApplicationContext> {
  const config = loadConfig('worker', { NODE_ENV: 'test', DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, KORYU_DATA_DIR: mkdtempSync(join(tmpdir(), 'koryu-worker-')), LOG_LEVEL: process.env.KORYU_TEST_LOG_LEVEL ?? 'silent' });
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, options), { logger: false });
  await worker.init();
  return worker;
}
