import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KoryuConfig } from './environment';

/**
 * JWT_SECRET when set; otherwise (development only, production requires the variable) a random
 * secret generated once and kept in the data directory, so that every service started against
 * the same `.data` signs and verifies with the same key. Written to a temporary file and linked
 * into place, so two services starting together never read a half-written file.
 */
export function resolveJwtSecret(config: Pick<KoryuConfig, 'jwtSecret' | 'dataDir' | 'production'>): string {
  if (config.jwtSecret) return config.jwtSecret;
  if (config.production) throw new Error('Configuration error: JWT_SECRET is missing: it is required in production');
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'jwt-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const temporary = `${file}.${process.pid}.${Date.now()}`;
    writeFileSync(temporary, randomBytes(48).toString('base64url'), { mode: 0o600 });
    try {
      linkSync(temporary, file);
    } catch {
      // Another service won the race; its secret is the one to use.
    } finally {
      unlinkSync(temporary);
    }
    return readFileSync(file, 'utf8').trim();
  }
}
