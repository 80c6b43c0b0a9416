import { createHttpService, loadConfigOrExit } from '@koryu/platform';
import { NotifierModule } from './notifier.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit('notifier');
  // The notifier serves only health and metrics over HTTP; its work arrives through BullMQ.
  await createHttpService(NotifierModule.forRoot(config), { config });
}

void main().catch((error: unknown) => {
  process.stderr.write(`notifier failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
