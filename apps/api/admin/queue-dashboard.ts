import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError } from '@koryu/domain';
import { Logger } from '@nestjs/common';
import { sendError, toErrorResponse } from '@koryu/platform';
import { ALL_QUEUES, producerConnection, QUEUE_PREFIX } from '@koryu/queues';
import { Authenticator } from '../auth/authenticator';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * bull-board at /admin/queues for system operators only: it shows every job of every
 * organisation, so an organisation's own admin is refused too (research T19). Jobs carry ids
 * only, never personal data.
 */
export async function mountQueueDashboard(app: NestFastifyApplication, redisUrl: string): Promise<() => Promise<void>> {
  const queues = ALL_QUEUES.map((name) => new Queue(name, { connection: producerConnection(redisUrl), prefix: QUEUE_PREFIX }));
  for (const queue of queues) queue.on('error', () => undefined);
  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Koryu queues' } },
  });

  const authenticator = app.get(Authenticator);
  const logger = new Logger('QueueDashboard');
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  await fastify.register(
    async (scope: FastifyInstance) => {
      scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          const actor = await authenticator.authenticate(request);
          if (!actor.operator) {
            authenticator.denied(request);
            throw new ForbiddenError();
          }
        } catch (error) {
          sendError(reply, toErrorResponse(error, request, logger));
          return reply;
        }
      });
      await scope.register(serverAdapter.registerPlugin() as never, { prefix: QUEUE_DASHBOARD_PATH });
    },
  );
  return async () => {
    await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
  };
}
