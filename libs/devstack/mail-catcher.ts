import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { QUIET_PROCESS_NODE_FLAGS } from './node-flags';
import { delay, findFreePort, isPortOpen } from './ports';

export interface MailCatcher {
  smtpUrl: string;
  webUrl: string;
  stop(): Promise<void>;
}

/** The installed package's directory (maildev exports only an ESM entry, so it is run by path). */
function packageDirectory(name: string): string {
  for (const base of module.paths) if (existsSync(join(base, name, 'package.json'))) return join(base, name);
  throw new Error(`${name} is not installed: run npm install`);
}

/**
 * MailDev in its own process: an SMTP server that keeps every mail and shows it in a web view, so
 * development and demos never send real mail. Listens on 127.0.0.1 only.
 */
export async function startMailCatcher(preferred: { smtp?: number; web?: number } = {}): Promise<MailCatcher> {
  const smtp = await findFreePort(preferred.smtp ?? 0);
  const web = await findFreePort(preferred.web ?? 0);
  const bin = join(packageDirectory('maildev'), 'dist', 'bin', 'maildev.js');
  const child = spawn(process.execPath, [...QUIET_PROCESS_NODE_FLAGS, bin, '--smtp', String(smtp), '--web', String(web), '--ip', '127.0.0.1', '--web-ip', '127.0.0.1', '--max-emails', '500'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString('utf8')).slice(-2000)));
  let running = true;
  const exited = new Promise<void>((done) => child.once('exit', () => ((running = false), done())));
  for (let attempt = 0; attempt < 150; attempt += 1) {
    if (!running) throw new Error(`maildev exited at start: ${errors.trim()}`);
    if ((await isPortOpen('127.0.0.1', smtp)) && (await isPortOpen('127.0.0.1', web))) {
      return {
        smtpUrl: `smtp://127.0.0.1:${smtp}`,
        webUrl: `http://127.0.0.1:${web}`,
        stop: async () => {
          if (!running) return;
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    await delay(100);
  }
  child.kill('SIGKILL');
  throw new Error('maildev did not listen within 15 s');
}
