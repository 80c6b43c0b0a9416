#!/usr/bin/env node
/**
 * `npm start`: builds when the sources are newer than the build, then hands over to the launcher
 * (tools/launcher.ts), which starts PostgreSQL, Redis, the mail catcher and every service.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, utimesSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const STAMP = join(ROOT, 'dist', '.tsbuildinfo');
const LAUNCHER = join(ROOT, 'dist', 'tools', 'launcher.js');
const WEB_UI = join(ROOT, 'dist', 'web', 'index.html');
const SOURCE = /\.(ts|tsx|css|html)$/;

function newestSource(directory) {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (SOURCE.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isStale() {
  if (!existsSync(STAMP) || !existsSync(LAUNCHER) || !existsSync(WEB_UI)) return true;
  const built = statSync(STAMP).mtimeMs;
  const sources = ['apps', 'libs', 'tools'].map((d) => newestSource(join(ROOT, d)));
  const configs = ['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => statSync(join(ROOT, f)).mtimeMs);
  return Math.max(...sources, ...configs) > built;
}

if (isStale()) {
  process.stdout.write('Building Koryu (sources changed since the last build)…\n');
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) {
    process.stderr.write('The build failed; see the errors above.\n');
    process.exit(1);
  }
  // tsc leaves its build info untouched when nothing changed; mark this build as current.
  const now = new Date();
  utimesSync(STAMP, now, now);
}

require(LAUNCHER)
  .launch()
  .then((code) => process.exit(code))
  .catch((error) => {
    process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
