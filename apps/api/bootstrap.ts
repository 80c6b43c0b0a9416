import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { KoryuConfig } from '@koryu/config';
import { createHttpService } from '@koryu/platform';
import { mountQueueDashboard } from './admin/queue-dashboard';
import { ApiModule, type ApiOptions } from './api.module';
import { mountOpenApi } from './openapi';
import { mountWebUi } from './web-ui';

/** The API service as `main.ts` runs it; tests start exactly this. */
export function createApi(config: KoryuConfig, options: ApiOptions = {}): Promise<NestFastifyApplication> {
  return createHttpService(ApiModule.forRoot(config, options), {
    config,
    configure: async (app) => {
      mountOpenApi(app);
      const closeDashboard = await mountQueueDashboard(app, config.redisUrl);
      app.getHttpAdapter().getInstance().addHook('onClose', closeDashboard);
      await mountWebUi(app);
    },
  });
}
