import { availableParallelism } from 'node:os';
import { ConfigurationError, KNOWN_VARIABLES, loadConfig } from './environment';

const BASE = { DATABASE_URL: 'postgres://koryu:secret@db:5432/koryu', SMTP_URL: 'smtp://mail:1025' };

function problem(service: 'api' | 'worker' | 'notifier', env: Record<string, string>): string {
  try {
    loadConfig(service, env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('loadConfig', () => {
  it('applies the defaults of API.md for every unset variable', () => {
    const config = loadConfig('api', BASE);
    expect(config).toMatchObject({
      port: 3000,
      redisUrl: 'redis://127.0.0.1:6379',
      appBaseUrl: 'http://localhost:3000',
      demo: false,
      jwtTtlSeconds: 1800,
      production: false,
    });
    expect(loadConfig('worker', BASE).port).toBe(3001);
    expect(loadConfig('notifier', BASE).port).toBe(3002);
  });

  it('sizes the API’s pool by the cores (two per core plus two) and the others at 10, unless DATABASE_POOL_SIZE says', () => {
    expect(loadConfig('api', BASE).databasePoolSize).toBe(2 * availableParallelism() + 2);
    expect(loadConfig('worker', BASE).databasePoolSize).toBe(10);
    expect(loadConfig('notifier', BASE).databasePoolSize).toBe(10);
    expect(loadConfig('api', { ...BASE, DATABASE_POOL_SIZE: '12' }).databasePoolSize).toBe(12);
    expect(problem('api', { ...BASE, DATABASE_POOL_SIZE: '0' })).toMatch(/^Configuration error: DATABASE_POOL_SIZE /);
  });

  it('derives APP_BASE_URL from the API port', () => {
    expect(loadConfig('api', { ...BASE, PORT: '8080' }).appBaseUrl).toBe('http://localhost:8080');
  });

  it.each([
    [{ PORT: 'abc' }, /^Configuration error: PORT .*"abc"/],
    [{ PORT: '70000' }, /^Configuration error: PORT /],
    [{ DATABASE_URL: 'mysql://x' }, /^Configuration error: DATABASE_URL /],
    [{ REDIS_URL: 'http://cache' }, /^Configuration error: REDIS_URL /],
    [{ KORYU_DEMO: 'yes' }, /^Configuration error: KORYU_DEMO .*"yes"/],
    [{ NODE_ENV: 'staging' }, /^Configuration error: NODE_ENV /],
    [{ KORYU_ADMIN_EMAIL: 'admin@example.jp' }, /^Configuration error: KORYU_ADMIN_PASSWORD /],
    [{ KORYU_ADMIN_EMAIL: 'admin@example.jp', KORYU_ADMIN_PASSWORD: 'short' }, /^Configuration error: KORYU_ADMIN_PASSWORD /],
  ])('names the variable and the problem in one line: %j', (override, expected) => {
    const message = problem('api', { ...BASE, ...override });
    expect(message).toMatch(expected);
    expect(message).not.toContain('\n');
  });

  it('never prints a secret value', () => {
    const message = problem('api', { ...BASE, DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(message).not.toContain('hunter2');
  });

  it('requires JWT_SECRET of at least 32 characters in production', () => {
    expect(problem('api', { ...BASE, NODE_ENV: 'production' })).toMatch(/^Configuration error: JWT_SECRET /);
    expect(problem('api', { ...BASE, NODE_ENV: 'production', JWT_SECRET: 'short' })).toMatch(/^Configuration error: JWT_SECRET /);
    expect(loadConfig('api', { ...BASE, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).production).toBe(true);
  });

  it('asks each service only for what it needs', () => {
    expect(problem('api', {})).toMatch(/^Configuration error: DATABASE_URL is missing/);
    expect(problem('notifier', { DATABASE_URL: BASE.DATABASE_URL })).toMatch(/^Configuration error: SMTP_URL is missing/);
    expect(() => loadConfig('worker', { DATABASE_URL: BASE.DATABASE_URL })).not.toThrow();
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig('api', { ...BASE, PORT: '' }).port).toBe(3000);
  });

  it('knows every variable of the API.md runtime table', () => {
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'APP_BASE_URL', 'JWT_SECRET', 'KORYU_ADMIN_EMAIL', 'KORYU_ADMIN_PASSWORD', 'KORYU_DEMO']) {
      expect(KNOWN_VARIABLES).toContain(name);
    }
  });
});
