import { loadConfigOrExit } from '@koryu/platform';
import { createApi } from './bootstrap';

void createApi(loadConfigOrExit('api')).catch((error: unknown) => {
  process.stderr.write(`api failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
