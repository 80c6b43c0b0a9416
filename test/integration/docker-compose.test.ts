/**
 * docker-compose.yml, Dockerfile and .dockerignore checked against the code, so that they cannot
 * drift from libs/config/environment.ts (services, variables, ports) or from the build. Nothing
 * here needs a Docker engine: the files are parsed, and compose's variable interpolation is
 * reproduced to feed the resulting container environments to the real config validation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { parse } from 'yaml';
import { DEFAULT_PORTS, KNOWN_VARIABLES, loadConfig, REQUIRED_BY_SERVICE, SERVICES, type ServiceName } from '../../libs/config/environment';
import { SERVICE_NODE_FLAGS } from '../../libs/devstack/node-flags';

const ROOT = resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

// ---------------------------------------------------------------------------------------------
// Compose file model

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: (string | number | { target?: number; published?: string | number })[];
  container_name?: string;
  working_dir?: string;
  restart?: string;
  volumes?: (string | { source?: string; target?: string })[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** YAML merge keys (`<<: *anchor`) are part of compose; duplicate keys are an error, as in compose. */
const compose = (): ComposeFile => parse(read('docker-compose.yml'), { merge: true, uniqueKeys: true }) as ComposeFile;

/** Splits a command or healthcheck the way compose does for the shell form (no quoting used here). */
function tokens(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : value.trim().split(/\s+/);
}

/** The environment of a service as raw (uninterpolated) strings; `null` means "passed from the host". */
function rawEnvironment(service: ComposeService): Record<string, string | null> {
  const env: Record<string, string | null> = {};
  const source = service.environment ?? {};
  if (Array.isArray(source)) {
    for (const entry of source) {
      const at = entry.indexOf('=');
      if (at === -1) env[entry] = null;
      else env[entry.slice(0, at)] = entry.slice(at + 1);
    }
  } else {
    for (const [key, value] of Object.entries(source)) env[key] = value === null || value === undefined ? null : String(value);
  }
  return env;
}

function dependsOn(service: ComposeService): Record<string, string | undefined> {
  const source = service.depends_on ?? {};
  if (Array.isArray(source)) return Object.fromEntries(source.map((name) => [name, undefined]));
  return Object.fromEntries(Object.entries(source).map(([name, spec]) => [name, spec?.condition]));
}

// ---------------------------------------------------------------------------------------------
// Compose interpolation: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error},
// ${VAR?error}, ${VAR:+replacement}, ${VAR+replacement}, with nested expressions in the word.

interface Interpolation {
  name: string;
  operator: '' | ':-' | '-' | ':?' | '?' | ':+' | '+';
  word: string;
  /** Offsets of `${` and the character after the closing `}`. */
  start: number;
  end: number;
}

/** Finds the `${…}` expressions of a string (outermost only), with their operator and word. */
function interpolations(text: string): Interpolation[] {
  const found: Interpolation[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '$') continue;
    if (text[i + 1] === '$') {
      i++;
      continue;
    }
    if (text[i + 1] !== '{') continue;
    let depth = 1;
    let j = i + 2;
    for (; j < text.length && depth > 0; j++) {
      if (text[j] === '{') depth++;
      else if (text[j] === '}') depth--;
    }
    if (depth !== 0) throw new Error(`unterminated \${ in ${JSON.stringify(text)}`);
    const body = text.slice(i + 2, j - 1);
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-|:\?|\?|:\+|\+)([\s\S]*))?$/.exec(body);
    if (!match) throw new Error(`invalid interpolation \${${body}} in ${JSON.stringify(text)}`);
    found.push({ name: match[1], operator: (match[2] ?? '') as Interpolation['operator'], word: match[3] ?? '', start: i, end: j });
    i = j - 1;
  }
  return found;
}

/** Interpolates like compose; throws (as compose refuses to start) for a missing required variable. */
function interpolate(text: string, vars: Record<string, string | undefined>): string {
  let out = '';
  let last = 0;
  for (const expression of interpolations(text)) {
    out += unescapeDollars(text.slice(last, expression.start), vars);
    const value = vars[expression.name];
    const isSet = value !== undefined;
    const nonEmpty = isSet && value !== '';
    const word = () => interpolate(expression.word, vars);
    switch (expression.operator) {
      case '':
        out += value ?? '';
        break;
      case ':-':
        out += nonEmpty ? value : word();
        break;
      case '-':
        out += isSet ? value : word();
        break;
      case ':?':
      case '?':
        if (expression.operator === ':?' ? !nonEmpty : !isSet) throw new Error(`required variable ${expression.name} is missing: ${word()}`);
        out += value;
        break;
      case ':+':
        out += nonEmpty ? word() : '';
        break;
      case '+':
        out += isSet ? word() : '';
        break;
    }
    last = expression.end;
  }
  return out + unescapeDollars(text.slice(last), vars);
}

/** Outside `${…}`: `$$` is a literal `$`, `$NAME` is the variable. */
function unescapeDollars(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(/\$\$|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, name?: string) => (name ? (vars[name] ?? '') : '$'));
}

/** The container environment compose would give a service, for the given host variables. */
function containerEnvironment(service: ComposeService, host: Record<string, string | undefined>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [key, raw] of Object.entries(rawEnvironment(service))) env[key] = raw === null ? host[key] : interpolate(raw, host);
  return env;
}

/** Every string in a parsed YAML value, with its path (keys included, for env names). */
function* strings(value: unknown, path: string[] = []): Generator<{ path: string[]; value: string }> {
  if (typeof value === 'string') yield { path, value };
  else if (Array.isArray(value)) for (const [index, item] of value.entries()) yield* strings(item, [...path, String(index)]);
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) yield* strings(item, [...path, key]);
}

// Sample host variables: only what the file requires, then everything optional set as well.
const SAMPLE_JWT_SECRET = 'k0ryu-sample-jwt-secret-0123456789abcdefgh'.slice(0, 40);
const MINIMAL_HOST = { JWT_SECRET: SAMPLE_JWT_SECRET };
const FULL_HOST = {
  JWT_SECRET: SAMPLE_JWT_SECRET,
  POSTGRES_PASSWORD: 'sample-db-password',
  APP_BASE_URL: 'https://koryu.example.lg.jp',
  KORYU_ADMIN_EMAIL: 'Admin@Example.LG.JP',
  KORYU_ADMIN_PASSWORD: 'sample-admin-password',
  KORYU_DEMO: '1',
  LOG_LEVEL: 'warn',
};

/** Services started from the one image (those running a built app). */
const APP_SERVICES: readonly ServiceName[] = SERVICES;
const APP_SERVICES_OF_COMPOSE = () => APP_SERVICES.filter((name) => compose().services[name] !== undefined);

// ---------------------------------------------------------------------------------------------
// Dockerfile model

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

function dockerfileStages(text: string): Stage[] {
  const lines: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue; // comments (and the syntax directive)
    if (/\\\s*$/.test(line)) {
      current += line.replace(/\\\s*$/, ' ');
      continue;
    }
    current += line;
    if (current.trim()) lines.push(current.trim());
    current = '';
  }
  if (current.trim()) lines.push(current.trim());
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword, args] = /^(\S+)\s*([\s\S]*)$/.exec(line)!;
    if (keyword.toUpperCase() === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(args);
      if (!from) throw new Error(`cannot read FROM ${args}`);
      stages.push({ name: from[2] ?? String(stages.length), from: from[1], instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push({ keyword: keyword.toUpperCase(), args });
    } else if (keyword.toUpperCase() !== 'ARG') {
      throw new Error(`${keyword} before the first FROM`);
    }
  }
  return stages;
}

/** The stage itself and the stages it is built FROM, nearest first. */
function lineage(stages: Stage[], stage: Stage): Stage[] {
  const chain = [stage];
  for (let parent = stages.find((s) => s.name === stage.from); parent; parent = stages.find((s) => s.name === parent!.from)) chain.push(parent);
  return chain;
}

const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);

/** `ENV A=b C=d` and the legacy `ENV A b` form. */
function envOf(chain: Stage[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const stage of [...chain].reverse()) {
    for (const { keyword, args } of stage.instructions) {
      if (keyword !== 'ENV') continue;
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
        for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)/g)) env[match[1]] = match[2].replace(/^["']|["']$/g, '');
      } else {
        const [name, ...value] = args.split(/\s+/);
        env[name] = value.join(' ');
      }
    }
  }
  return env;
}

/** The last WORKDIR in effect for a stage (absolute). */
function workdirOf(chain: Stage[]): string {
  let dir = '/';
  for (const stage of [...chain].reverse()) {
    for (const { keyword, args } of stage.instructions) if (keyword === 'WORKDIR') dir = posix.resolve(dir, args.trim());
  }
  return dir;
}

interface Copy {
  from?: string;
  sources: string[];
  destination: string;
}
function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
    .map(({ args }) => {
      const flags = [...args.matchAll(/--([a-z-]+)=(\S+)/g)];
      const rest = args.replace(/--[a-z-]+=\S+\s*/g, '').trim();
      const parts = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
      return { from: flags.find((f) => f[1] === 'from')?.[2], sources: parts.slice(0, -1), destination: parts[parts.length - 1] };
    });
}

const npmInstalls = (commands: string[]) => commands.flatMap((c) => c.split(/&&|;/)).map((c) => c.trim()).filter((c) => /^npm\s+(ci|install|i)\b/.test(c));

// ---------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  const file = compose();
  const services = file.services;

  describe.each(APP_SERVICES.map((name) => [name]))('service %s', (name) => {
    const service = services[name];
    const port = DEFAULT_PORTS[name];

    it('exists and runs its built entry point, whose source exists, with the Node.js flags npm start gives it', () => {
      expect(service).toBeDefined();
      expect(tokens(service.command)).toEqual(['node', ...SERVICE_NODE_FLAGS[name], `dist/apps/${name}/main.js`]);
      expect(existsSync(join(ROOT, 'apps', name, 'main.ts'))).toBe(true);
    });

    it('is built from the repository Dockerfile, as the one shared image', () => {
      const build = typeof service.build === 'string' ? { context: service.build } : service.build;
      expect(build).toBeDefined();
      const context = resolve(ROOT, build!.context ?? '.');
      expect(context).toBe(ROOT);
      expect(resolve(context, build!.dockerfile ?? 'Dockerfile')).toBe(join(ROOT, 'Dockerfile'));
      expect(service.image).toBe(services[APP_SERVICES[0]].image);
    });

    it('sets only variables the services read', () => {
      const unknown = Object.keys(rawEnvironment(service)).filter((key) => !KNOWN_VARIABLES.includes(key));
      expect(unknown).toEqual([]);
    });

    it(`runs in production on port ${port}, with every variable the service requires`, () => {
      const raw = rawEnvironment(service);
      expect(raw.NODE_ENV).toBe('production');
      expect(raw.PORT).toBe(String(port));
      for (const host of [MINIMAL_HOST, FULL_HOST]) {
        const env = containerEnvironment(service, host);
        for (const variable of REQUIRED_BY_SERVICE[name]) expect([variable, env[variable] ?? '']).toEqual([variable, expect.stringMatching(/\S/)]);
      }
    });

    it('takes JWT_SECRET from a required interpolation, never a literal', () => {
      const raw = rawEnvironment(service).JWT_SECRET;
      expect(raw).toEqual(expect.any(String));
      const found = interpolations(raw!);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ name: 'JWT_SECRET', operator: ':?', start: 0, end: raw!.length });
      expect(() => containerEnvironment(service, {})).toThrow(/required variable JWT_SECRET/);
      expect(() => containerEnvironment(service, { JWT_SECRET: '' })).toThrow(/required variable JWT_SECRET/);
    });

    it('passes the config validation of libs/config (would boot)', () => {
      const minimal = loadConfig(name, containerEnvironment(service, MINIMAL_HOST));
      expect(minimal).toMatchObject({ service: name, production: true, port, jwtSecret: SAMPLE_JWT_SECRET, demo: false });
      expect(new URL(minimal.databaseUrl).hostname).toBe('postgres');
      expect(new URL(minimal.redisUrl).hostname).toBe('redis');
      expect(minimal.adminEmail).toBeUndefined();

      const full = loadConfig(name, containerEnvironment(service, FULL_HOST));
      expect(full).toMatchObject({ port, appBaseUrl: FULL_HOST.APP_BASE_URL, adminEmail: 'admin@example.lg.jp', adminPassword: FULL_HOST.KORYU_ADMIN_PASSWORD });
      expect(decodeURIComponent(new URL(full.databaseUrl).password)).toBe(FULL_HOST.POSTGRES_PASSWORD);
    });

    it(`has a node health check on http://127.0.0.1:${port}/api/v1/health/ready`, () => {
      const test = tokens(service.healthcheck?.test);
      expect(service.healthcheck?.disable).not.toBe(true);
      expect(test[0]).toMatch(/^CMD(-SHELL)?$/);
      // The image has no curl or wget: only node can probe.
      expect(test[1]).toBe('node');
      const probe = test.slice(2).join(' ');
      const urls = [...probe.matchAll(/https?:\/\/(?:127\.0\.0\.1|localhost):(\d+)(\/[^'"`\s)]*)/g)];
      expect(urls.map((u) => [Number(u[1]), u[2]])).toEqual([[port, '/api/v1/health/ready']]);
      // Fails unless the answer is 2xx, and on a connection error.
      expect(probe).toMatch(/\.ok\b/);
      expect(probe).toMatch(/catch\(/);
      expect(probe).not.toMatch(/(?<!\$)\$(?!\$)/); // no accidental compose interpolation inside the script
    });

    it('starts after healthy PostgreSQL and Redis, and restarts unless stopped', () => {
      expect(dependsOn(service)).toMatchObject({ postgres: 'service_healthy', redis: 'service_healthy' });
      for (const dependency of Object.keys(dependsOn(service))) expect(services[dependency]).toBeDefined();
      expect(service.restart).toBe('unless-stopped');
    });

    it('has no fixed container name and publishes no port but the api\'s (the worker scales)', () => {
      expect(service.container_name).toBeUndefined();
      const published = (service.ports ?? []).map((p) => (typeof p === 'object' ? String(p.target) : String(p).split(':').pop()!.split('/')[0]));
      expect(published).toEqual(name === 'api' ? [String(DEFAULT_PORTS.api)] : []);
    });
  });

  it('runs no other built app than the SERVICES of libs/config', () => {
    const apps = Object.entries(services)
      .map(([name, service]) => [name, tokens(service.command).join(' ')])
      .filter(([, command]) => /dist\/apps\//.test(command) || /^node\b/.test(command));
    expect(apps.map(([name]) => name).sort()).toEqual([...SERVICES].sort());
  });

  it('builds from the Dockerfile only for the app services', () => {
    const built = Object.entries(services).filter(([, service]) => service.build !== undefined).map(([name]) => name);
    expect(built.sort()).toEqual([...APP_SERVICES].sort());
  });

  it('has PostgreSQL 16 or 17 (alpine) with a volume and a pg_isready health check, matching DATABASE_URL', () => {
    const postgres = services.postgres;
    expect(postgres.image).toMatch(/^postgres:1[67](\.\d+)*-alpine(\d|\.)*$/);
    expect(tokens(postgres.healthcheck?.test)).toContain('pg_isready');
    expect(postgres.volumes?.some((v) => (typeof v === 'string' ? v.endsWith(':/var/lib/postgresql/data') : v.target === '/var/lib/postgresql/data'))).toBe(true);
    const pg = rawEnvironment(postgres);
    for (const name of APP_SERVICES) {
      const url = /^postgres(?:ql)?:\/\/([^:@/]+):(.+)@([^:/]+):(\d+)\/([^/?]+)$/.exec(rawEnvironment(services[name]).DATABASE_URL ?? '');
      expect(url).not.toBeNull();
      const [, user, password, host, port, database] = url!;
      expect({ user, password, host, port, database }).toEqual({ user: pg.POSTGRES_USER, password: pg.POSTGRES_PASSWORD, host: 'postgres', port: '5432', database: pg.POSTGRES_DB });
    }
  });

  it('has Redis 7 configured for BullMQ (durable, never evicting) with a redis-cli ping health check', () => {
    const redis = services.redis;
    expect(redis.image).toMatch(/^redis:7(\.\d+)*-alpine/);
    const command = tokens(redis.command).join(' ');
    for (const flag of ['--appendonly yes', '--appendfsync everysec', '--maxmemory-policy noeviction', '--hz 100']) expect(command).toContain(flag);
    expect(tokens(redis.healthcheck?.test).slice(1)).toEqual(['redis-cli', 'ping']);
    expect(redis.volumes?.some((v) => (typeof v === 'string' ? v.endsWith(':/data') : v.target === '/data'))).toBe(true);
    for (const name of APP_SERVICES) expect(rawEnvironment(services[name]).REDIS_URL).toBe('redis://redis:6379');
  });

  it('has a mail catcher, and SMTP_URL points to its SMTP port', () => {
    const catchers = Object.entries(services).filter(([, service]) => /^maildev\/maildev(:|$)/.test(service.image ?? ''));
    expect(catchers).toHaveLength(1);
    const [catcher] = catchers[0];
    for (const name of APP_SERVICES) {
      const smtp = rawEnvironment(services[name]).SMTP_URL;
      if (smtp === undefined && !REQUIRED_BY_SERVICE[name].includes('SMTP_URL')) continue;
      const url = new URL(smtp!);
      expect([name, url.protocol, url.hostname, url.port]).toEqual([name, 'smtp:', catcher, '1025']);
    }
  });

  it('lets every service depended on with service_healthy have a health check', () => {
    for (const service of Object.values(services)) {
      for (const [dependency, condition] of Object.entries(dependsOn(service))) {
        if (condition === 'service_healthy') expect([dependency, tokens(services[dependency].healthcheck?.test).length > 0]).toEqual([dependency, true]);
      }
    }
  });

  it('declares the named volumes it mounts', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0] : volume.source;
        if (source && !/^[./~]/.test(source)) expect(Object.keys(file.volumes ?? {})).toContain(source);
      }
    }
  });

  it('requires no host variable but JWT_SECRET', () => {
    const required = [...strings(file)].flatMap(({ value }) => interpolations(value)).filter((i) => i.operator.includes('?')).map((i) => i.name);
    expect([...new Set(required)]).toEqual(['JWT_SECRET']);
  });

  it('holds no secret: secret-like variables come from interpolation, and no literal looks like a key', () => {
    // The one default allowed for a secret is the database password placeholder: PostgreSQL is not
    // published outside the compose network (see the comment in docker-compose.yml).
    const allowedDefaults: Record<string, string[]> = { POSTGRES_PASSWORD: ['koryu'], KORYU_ADMIN_PASSWORD: [''] };
    for (const { path, value } of strings(file)) {
      const key = path[path.length - 1];
      const where = path.join('.');
      const literal = interpolations(value).reduceRight((text, i) => text.slice(0, i.start) + text.slice(i.end), value);
      if (/SECRET|PASSWORD|TOKEN|PRIVATE|API_?KEY/i.test(key) && path.includes('environment')) {
        const found = interpolations(value);
        expect([where, found.length === 1 && found[0].start === 0 && found[0].end === value.length]).toEqual([where, true]);
        for (const i of found) {
          if (i.operator === ':-' || i.operator === '-') expect([where, (allowedDefaults[i.name] ?? []).includes(i.word)]).toEqual([where, true]);
          else expect([where, i.operator]).toEqual([where, expect.stringMatching(/^:?\?$/)]);
        }
      }
      // Credentials in URLs: the password part must be an interpolation.
      for (const match of value.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^:@/\s]+:([^@\s]+)@/gi)) {
        const password = match[1];
        const found = interpolations(password);
        expect([where, found.length === 1 && found[0].start === 0 && found[0].end === password.length]).toEqual([where, true]);
      }
      // Anything key-like left after removing interpolations (long, letters and digits mixed), but
      // a command-line flag with its value (--max-semi-space-size=64).
      for (const word of (literal.match(/[A-Za-z0-9+=_-]{20,}/g) ?? []).filter((w) => !/^--[a-z]+(-[a-z]+)*=\w{1,8}$/.test(w))) {
        expect([where, /[A-Za-z]/.test(word) && /\d/.test(word)]).toEqual([where, false]);
      }
    }
  });
});

describe('Dockerfile', () => {
  const stages = dockerfileStages(read('Dockerfile'));
  const final = stages[stages.length - 1];
  const finalChain = lineage(stages, final);

  it('is multi-stage on node:20-bookworm-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect([stage.name, stage.from === 'node:20-bookworm-slim' || stages.some((s) => s.name === stage.from)]).toEqual([stage.name, true]);
  });

  it('builds with `npm run build`, which emits dist/apps/<service>/main.js', () => {
    expect(stages.some((stage) => runs(stage).some((run) => /\bnpm run build\b/.test(run)))).toBe(true);
    expect(JSON.parse(read('package.json')).scripts.build).toMatch(/tsc -p tsconfig\.build\.json/);
    const config = ts.readConfigFile(join(ROOT, 'tsconfig.build.json'), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    for (const name of SERVICES) {
      const source = join(ROOT, 'apps', name, 'main.ts');
      expect(parsed.fileNames.map((f) => resolve(f))).toContain(source);
      const out = join(parsed.options.outDir!, relative(parsed.options.rootDir ?? ROOT, source)).replace(/\.ts$/, '.js');
      expect(relative(ROOT, out)).toBe(join('dist', 'apps', name, 'main.js'));
    }
  });

  it('runs as a non-root user with NODE_ENV=production, serving the api by default', () => {
    const users = final.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args.trim());
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
    expect(envOf(finalChain).NODE_ENV).toBe('production');
    const cmd = final.instructions.filter((i) => i.keyword === 'CMD').pop();
    expect(cmd && JSON.parse(cmd.args)).toEqual(['node', 'dist/apps/api/main.js']);
  });

  it('puts the built dist/ where the compose commands look for it', () => {
    const workdir = workdirOf(finalChain);
    const buildStages = stages.filter((stage) => lineage(stages, stage).some((s) => runs(s).some((run) => /\bnpm run build\b/.test(run)))).map((s) => s.name);
    const dist = finalChain.flatMap(copies).filter((c) => c.from && buildStages.includes(c.from) && c.sources.some((s) => /(^|\/)dist\/?$/.test(s)));
    expect(dist).toHaveLength(1);
    expect(posix.resolve(workdir, dist[0].destination)).toBe(posix.join(workdir, 'dist'));
    const buildWorkdir = workdirOf(lineage(stages, stages.find((s) => s.name === dist[0].from)!));
    expect(dist[0].sources.map((source) => posix.resolve(buildWorkdir, source))).toEqual([posix.join(buildWorkdir, 'dist')]);
    for (const name of APP_SERVICES_OF_COMPOSE()) expect([name, compose().services[name].working_dir]).toEqual([name, undefined]);
  });

  it('ships production dependencies only, installed without lifecycle scripts', () => {
    // Every npm install ignores scripts (`prepare` would run the build; see the Dockerfile comment).
    for (const stage of stages) for (const install of npmInstalls(runs(stage))) expect([stage.name, install]).toEqual([stage.name, expect.stringMatching(/--ignore-scripts\b/)]);
    // node_modules of the final image: installed in it with --omit=dev, or copied from a stage that did.
    const productionInstall = (stage: Stage) => npmInstalls(runs(stage)).some((c) => /^npm ci\b/.test(c) && /--omit=dev\b/.test(c));
    const devInstall = (stage: Stage) => npmInstalls(runs(stage)).some((c) => !/--omit=dev\b/.test(c) && !/--production\b/.test(c));
    const sources = finalChain.flatMap(copies).filter((c) => c.from && c.sources.some((s) => /node_modules/.test(s)));
    const installsHere = finalChain.some(productionInstall);
    expect(installsHere || sources.length > 0).toBe(true);
    expect(finalChain.some(devInstall)).toBe(false);
    for (const copy of sources) {
      const chain = lineage(stages, stages.find((s) => s.name === copy.from)!);
      expect([copy.from, chain.some(productionInstall) && !chain.some(devInstall)]).toEqual([copy.from, true]);
    }
    // No build context copied wholesale into the runtime image.
    for (const copy of finalChain.flatMap(copies)) if (!copy.from) expect(copy.sources).not.toContain('.');
  });

  it('has a lock file npm ci accepts: in sync with package.json, every optional platform package listed', () => {
    // npm ci refuses ("Missing: … from lock file") a lock without the optional binaries of other
    // platforms, as written by an install against a registry that lacks them.
    const manifest = JSON.parse(read('package.json'));
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { dependencies?: object; devDependencies?: object; optionalDependencies?: object }> };
    const root = lock.packages[''];
    expect({ dependencies: root.dependencies ?? {}, devDependencies: root.devDependencies ?? {} }).toEqual({
      dependencies: manifest.dependencies ?? {},
      devDependencies: manifest.devDependencies ?? {},
    });
    const resolveIn = (from: string, name: string): string | undefined => {
      for (let base = from; ; ) {
        const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
        if (lock.packages[candidate]) return candidate;
        if (!base) return undefined;
        const at = base.lastIndexOf('/node_modules/');
        base = at === -1 ? '' : base.slice(0, at);
      }
    };
    const missing = new Set<string>();
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) if (!resolveIn(path, name)) missing.add(name);
    }
    expect([...missing].sort()).toEqual([]);
  });

  it('gives npm ci the lock file and the project .npmrc', () => {
    for (const stage of stages) {
      if (!npmInstalls(runs(stage)).some((c) => /^npm ci\b/.test(c))) continue;
      const copied = lineage(stages, stage).flatMap(copies).filter((c) => !c.from).flatMap((c) => c.sources);
      const has = (file: string) => copied.includes(file) || copied.includes('.');
      expect([stage.name, has('package.json'), has('package-lock.json')]).toEqual([stage.name, true, true]);
      if (existsSync(join(ROOT, '.npmrc'))) expect([stage.name, has('.npmrc')]).toEqual([stage.name, true]);
    }
  });
});

describe('.dockerignore', () => {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

  it('keeps local state and build output out of the build context', () => {
    for (const entry of ['node_modules', 'dist', '.data', '.git', 'coverage']) expect(patterns).toContain(entry);
  });

  it('keeps what the build needs', () => {
    for (const needed of ['package.json', 'package-lock.json', '.npmrc', 'apps', 'libs', 'tsconfig.json', 'tsconfig.build.json']) {
      expect([needed, patterns.includes(needed) || patterns.includes(`/${needed}`)]).toEqual([needed, false]);
    }
  });
});
