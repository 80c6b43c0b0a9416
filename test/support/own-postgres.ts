import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, waitUntil } from '@koryu/testing';

export interface OwnPostgres {
  url: string;
  port: number;
  /**
   * Stops the server under its clients: SIGQUIT to the postmaster is an immediate shutdown (every
   * session cut, no checkpoint; the next start recovers from the WAL), SIGINT a fast one (sessions
   * ended with an error, then a checkpoint).
   */
  crash(signal?: 'SIGQUIT' | 'SIGINT'): Promise<void>;
  /** Freezes every process of the server (SIGSTOP): connections stay open and nothing answers, as with a stalled host. */
  freeze(): void;
  /** Lets a frozen server go on (SIGCONT). */
  thaw(): void;
  stop(): Promise<void>;
}

/**
 * A durable PostgreSQL of the test file's own on `dataDir` (see own-postgres.js), on `port` when
 * given: started again after `crash`, it serves the same data at the same address.
 */
export async function startOwnPostgres(dataDir: string, port?: number): Promise<OwnPostgres> {
  const child = spawn(process.execPath, [join(__dirname, 'own-postgres.js'), dataDir, ...(port ? [String(port)] : [])], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('\n')) resolve(JSON.parse(output.split('\n')[0]) as { url: string; pid: number });
    });
    child.once('exit', (code) => reject(new Error(`own PostgreSQL exited with code ${code} before starting`)));
  });
  child.stdout.resume();
  const stop = async () => {
    child.stdin.end();
    await exited;
  };
  return {
    url: started.url,
    port: Number(new URL(started.url).port),
    stop,
    freeze: () => signalCluster(started.pid, 'SIGSTOP'),
    thaw: () => signalCluster(started.pid, 'SIGCONT'),
    crash: async (signal = 'SIGQUIT') => {
      process.kill(started.pid, signal);
      await waitUntil(() => !isAlive(started.pid), 15_000, 'the postmaster to exit');
      await stop();
    },
  };
}

/** Sends `signal` to the postmaster and every process it started (its backends and helpers). */
function signalCluster(postmaster: number, signal: NodeJS.Signals): void {
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        // The parent pid is the second field after the command name in parentheses.
        return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  process.kill(postmaster, signal);
  for (const pid of children) {
    try {
      process.kill(pid, signal);
    } catch (error) {
      // A backend that ended between the listing and the signal.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

