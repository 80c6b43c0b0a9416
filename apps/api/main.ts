import { createHttpService, loadConfigOrExit } from '@koryu/platform';
import { mountQueueDashboard } from './admin/queue-dashboard';
import { ApiModule } from './api.module';
import { mountOpenApi } from './openapi';

async function main(): Promise<void> {
  const config = loadConfigOrExit('api');
  await createHttpService(ApiModule.forRoot(config), {
    config,
    configure: async (app) => {
      mountOpenApi(app);
      const closeDashboard = await mountQueueDashboard(app, config.redisUrl);
      app.getHttpAdapter().getInstance().addHook('onClose', closeDashboard);
    },
  });
}

void main().catch((error: unknown) => {
  process.stderr.write(`api failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
