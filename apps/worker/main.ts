import { createHttpService, loadConfigOrExit } from '@koryu/platform';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit('worker');
  // The worker serves only health and metrics over HTTP; its work arrives through BullMQ.
  await createHttpService(WorkerModule.forRoot(config), { config });
}

void main().catch((error: unknown) => {
  process.stderr.write(`worker failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
