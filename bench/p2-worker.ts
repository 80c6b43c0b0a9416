/**
 * The worker as `npm start` runs it, with the small test program of P1 registered beside the real
 * ones, for the P2 benchmark. Started as its own process.
 */
import { createHttpService, loadConfigOrExit } from '@koryu/platform';
import { WorkerModule } from '../apps/worker/worker.module';
import { PETITION_PROGRAMS } from './lib/petition';

// The benchmark holds our stdin open; when it ends (the benchmark stopped or died), so do we.
process.stdin.on('end', () => process.exit(0)).resume();

const config = loadConfigOrExit('worker');
void createHttpService(WorkerModule.forRoot(config, PETITION_PROGRAMS), { config }).then(
  () => process.stdout.write('READY\n'),
  (error: unknown) => {
    process.stderr.write(`bench worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
