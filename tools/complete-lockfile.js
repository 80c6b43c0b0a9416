#!/usr/bin/env node
/**
 * Lists the other platforms' optional binaries in package-lock.json.
 *
 * Packages such as @swc/core ship one optional package per platform. `npm install` against a
 * registry that only mirrors this machine's platform leaves the others out of the lock file, and
 * `npm ci` then refuses the lock ("Missing: @swc/core-darwin-arm64@ from lock file") on every
 * machine. This adds each missing one with its exact version and the os/cpu/libc its name
 * declares, so npm skips it on other platforms and fetches it where it belongs.
 *
 * Run after changing dependencies: `node tools/complete-lockfile.js` (idempotent).
 */
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const LOCK = join(__dirname, '..', 'package-lock.json');
const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony', 'sunos', 'netbsd', 'openbsd'];
const CPU = { arm64: 'arm64', aarch64: 'arm64', x64: 'x64', ia32: 'ia32', arm: 'arm', ppc64: 'ppc64', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', wasm32: 'wasm32' };

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.map((p) => (p === 'windows' ? 'win32' : p)).find((p) => OS.includes(p));
  const cpu = parts.map((p) => CPU[p]).find(Boolean);
  const entry = {};
  if (cpu) entry.cpu = [cpu];
  if (parts.includes('musl') || parts.includes('musleabihf')) entry.libc = ['musl'];
  else if (os === 'linux' && (parts.includes('gnu') || parts.includes('gnueabihf'))) entry.libc = ['glibc'];
  if (os) entry.os = [os];
  return os || cpu ? entry : undefined;
}

function resolveIn(packages, from, name) {
  for (let base = from; ; ) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const at = base.lastIndexOf('/node_modules/');
    base = at === -1 ? '' : base.slice(0, at);
  }
}

const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const added = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    if (resolveIn(lock.packages, path, name)) continue;
    const platform = platformOf(name);
    // An exact version, or the lowest one a ^/~ range allows (npm skips the entry on other platforms either way).
    const exact = /^[~^]?(\d+\.\d+\.\d+)$/.exec(version)?.[1];
    if (!platform || !exact) continue;
    const target = lock.packages[`node_modules/${name}`] ? `${path}/node_modules/${name}` : `node_modules/${name}`;
    lock.packages[target] = { version: exact, ...(entry.dev ? { dev: true } : {}), optional: true, ...platform };
    added.push(`${name}@${exact}`);
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(added.length ? `added ${added.length} platform packages:\n  ${added.join('\n  ')}\n` : 'lock file already complete\n');
