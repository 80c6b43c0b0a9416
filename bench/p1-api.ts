/**
 * The API as `npm start` runs it (same module, Fastify, logging), with the small test program
 * registered beside the real ones, for the P1 and P2 benchmarks. Started as its own process.
 */
import { loadConfigOrExit } from '@koryu/platform';
import { createApi } from '../apps/api/bootstrap';
import { PETITION_PROGRAMS } from './lib/petition';

// The benchmark holds our stdin open; when it ends (the benchmark stopped or died), so do we.
process.stdin.on('end', () => process.exit(0)).resume();

void createApi(loadConfigOrExit('api'), PETITION_PROGRAMS).then(
  () => process.stdout.write('READY\n'),
  (error: unknown) => {
    process.stderr.write(`bench api failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
