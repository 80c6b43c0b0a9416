/**
 * Three projects, all run by `npm test`:
 * - unit: `*.spec.ts` beside the code, no I/O;
 * - integration: `test/{integration,security,reliability}` against real PostgreSQL and Redis
 *   (an isolated database per test file);
 * - e2e: `test/e2e`, the built services as separate processes.
 * The global setup starts throwaway PostgreSQL and Redis unless KORYU_TEST_DATABASE_URL and
 * KORYU_TEST_REDIS_URL point at servers (as .ci/run does).
 */
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * NestJS 12 and some other dependencies ship ES modules only. Node 20 loads them natively, but
 * Jest's module registry cannot require ESM before Node 24.9, so those packages are compiled to
 * CommonJS by swc for the tests (found by `"type": "module"`, so the list keeps itself current).
 */
function esmPackages() {
  const root = join(__dirname, 'node_modules');
  const names = [];
  for (const entry of readdirSync(root)) {
    const scoped = entry.startsWith('@') ? readdirSync(join(root, entry)).map((name) => `${entry}/${name}`) : [entry];
    for (const name of scoped) {
      try {
        if (JSON.parse(readFileSync(join(root, name, 'package.json'), 'utf8')).type === 'module') names.push(name);
      } catch {
        // not a package
      }
    }
  }
  // CommonJS packages that load an ESM dependency with `import()`, which Jest's CommonJS runtime
  // cannot do: compiled too, so the `import()` becomes a `require()`.
  return [...names, '@fastify/cookie'];
}

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const swcJs = ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

const common = {
  transform: { '^.+\\.ts$': swc, '^.+\\.m?js$': swcJs },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages().map((n) => n.replace('/', '\\/')).join('|')})/)`],
  moduleNameMapper: { '^@koryu/([a-z0-9-]+)$': '<rootDir>/libs/$1', '^@koryu/([a-z0-9-]+)/(.*)$': '<rootDir>/libs/$1/$2' },
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  maxWorkers: 2,
  // In CI a failed reliability test can leave a reconnecting client behind; the run must still end
  // (locally, the hang shows the leak).
  forceExit: process.env.CI === 'true',
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/{integration,security,reliability}/**/*.test.ts'],
      // Jest reads testTimeout only at the top level; per project it is set by a setup file.
      setupFilesAfterEnv: ['<rootDir>/test/setup/timeout-integration.ts'],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'], setupFilesAfterEnv: ['<rootDir>/test/setup/timeout-e2e.ts'] },
  ],
};
