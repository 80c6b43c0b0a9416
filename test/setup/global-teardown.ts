import type { ChildProcess } from 'node:child_process';

export default async function globalTeardown(): Promise<void> {
  const child = (globalThis as { __koryuTestServers?: ChildProcess }).__koryuTestServers;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Closing its stdin stops both servers (also what happens when the test run dies).
  child.stdin?.end();
  await exited;
}
