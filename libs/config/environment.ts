import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { availableParallelism } from 'node:os';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
  ValidationError,
} from 'class-validator';

/** The three services of Koryu; each reads the same variables with its own defaults. */
export const SERVICES = ['api', 'worker', 'notifier'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const DEFAULT_PORTS: Record<ServiceName, number> = { api: 3000, worker: 3001, notifier: 3002 };

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;

/**
 * Every runtime variable of API.md (plus a few operational ones), validated at start.
 * Values arrive as strings; numbers are converted explicitly (never enableImplicitConversion,
 * which turns "false" into true: class-transformer #306).
 */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'], { message: 'must be development, production or test' })
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number between 1 and 65535' })
  @Min(1, { message: 'must be a whole number between 1 and 65535' })
  @Max(65535, { message: 'must be a whole number between 1 and 65535' })
  @IsOptional()
  PORT?: number;

  @Matches(/^postgres(ql)?:\/\/[^\s]+$/, {
    message: 'must be a postgres:// URL; run `npm start` for an embedded database or set DATABASE_URL=postgres://user:password@host:5432/koryu',
  })
  DATABASE_URL!: string;

  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @ValidateIf((env: EnvironmentVariables) => env.SMTP_URL !== undefined)
  @Matches(/^smtps?:\/\/[^\s]+$/, { message: 'must be an smtp:// or smtps:// URL, e.g. smtp://127.0.0.1:1025' })
  SMTP_URL?: string;

  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+[^/\s]$/, { message: 'must be an http(s):// URL without a trailing slash, e.g. https://koryu.example.lg.jp' })
  APP_BASE_URL?: string;

  @ValidateIf((env: EnvironmentVariables) => env.JWT_SECRET !== undefined || env.NODE_ENV === 'production')
  @IsString({ message: 'is required in production (at least 32 characters of random text)' })
  @MinLength(32, { message: 'must be at least 32 characters of random text' })
  JWT_SECRET?: string;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of seconds between 60 and 86400' })
  @Min(60, { message: 'must be a whole number of seconds between 60 and 86400' })
  @Max(86400, { message: 'must be a whole number of seconds between 60 and 86400' })
  JWT_TTL_SECONDS = 1800;

  @ValidateIf((env: EnvironmentVariables) => env.KORYU_ADMIN_EMAIL !== undefined || env.KORYU_ADMIN_PASSWORD !== undefined)
  @IsEmail({}, { message: 'must be an e-mail address (set it together with KORYU_ADMIN_PASSWORD)' })
  KORYU_ADMIN_EMAIL?: string;

  @ValidateIf((env: EnvironmentVariables) => env.KORYU_ADMIN_EMAIL !== undefined || env.KORYU_ADMIN_PASSWORD !== undefined)
  @IsString({ message: 'must be set together with KORYU_ADMIN_EMAIL' })
  @MinLength(12, { message: 'must be at least 12 characters' })
  @MaxLength(256, { message: 'must be at most 256 characters' })
  KORYU_ADMIN_PASSWORD?: string;

  @IsIn(['0', '1'], { message: 'must be 0 or 1' })
  KORYU_DEMO: '0' | '1' = '0';

  @IsString()
  KORYU_DATA_DIR = './.data';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL = 'info';

  /** Connections each service keeps to PostgreSQL (default: api two per CPU core plus two, worker and notifier 10). */
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of connections between 1 and 200' })
  @Min(1, { message: 'must be a whole number of connections between 1 and 200' })
  @Max(200, { message: 'must be a whole number of connections between 1 and 200' })
  DATABASE_POOL_SIZE?: number;

  /** Number of reverse-proxy hops whose X-Forwarded-For is trusted (0: none, the default). */
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of proxy hops (0 when clients connect directly)' })
  @Min(0, { message: 'must be a whole number of proxy hops (0 when clients connect directly)' })
  TRUST_PROXY_HOPS = 0;
}

/** Variables that hold secrets: never echoed in an error message. */
const SECRET_VARIABLES = new Set(['JWT_SECRET', 'KORYU_ADMIN_PASSWORD', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL']);

/** The variables a service needs beyond the defaults above. */
export const REQUIRED_BY_SERVICE: Record<ServiceName, readonly (keyof EnvironmentVariables)[]> = {
  api: ['DATABASE_URL'],
  worker: ['DATABASE_URL'],
  notifier: ['DATABASE_URL', 'SMTP_URL'],
};

/** Names of every variable the services read: docker-compose.yml is checked against this list. */
export const KNOWN_VARIABLES: readonly string[] = Object.keys(new EnvironmentVariables()).concat([
  'PORT',
  'DATABASE_URL',
  'SMTP_URL',
  'APP_BASE_URL',
  'JWT_SECRET',
  'KORYU_ADMIN_EMAIL',
  'KORYU_ADMIN_PASSWORD',
]).filter((name, index, all) => all.indexOf(name) === index);

export class ConfigurationError extends Error {
  constructor(readonly variable: string, readonly problem: string) {
    super(`Configuration error: ${variable} ${problem}`);
    this.name = 'ConfigurationError';
  }
}

export interface KoryuConfig {
  service: ServiceName;
  nodeEnv: EnvironmentVariables['NODE_ENV'];
  production: boolean;
  port: number;
  databaseUrl: string;
  databasePoolSize: number;
  redisUrl: string;
  smtpUrl?: string;
  appBaseUrl: string;
  jwtSecret?: string;
  jwtTtlSeconds: number;
  adminEmail?: string;
  adminPassword?: string;
  demo: boolean;
  dataDir: string;
  logLevel: string;
  trustProxyHops: number;
}

function firstProblem(errors: ValidationError[]): ConfigurationError | undefined {
  for (const error of errors) {
    const message = error.constraints ? Object.values(error.constraints)[0] : undefined;
    if (message) {
      const shown = SECRET_VARIABLES.has(error.property) || error.value === undefined ? '' : ` (got "${String(error.value)}")`;
      const problem = error.value === undefined || error.value === '' ? `is missing: it ${message}` : `${message}${shown}`;
      return new ConfigurationError(error.property, problem);
    }
  }
  return undefined;
}

/**
 * Reads and validates the environment for one service. Throws a ConfigurationError whose message
 * is one line naming the variable and what is wrong.
 */
export function loadConfig(service: ServiceName, env: NodeJS.ProcessEnv = process.env): KoryuConfig {
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    // An empty variable is treated as unset, as shells and compose files often write KEY=.
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = plainToInstance(EnvironmentVariables, raw, { excludeExtraneousValues: false });
  const problem = firstProblem(validateSync(parsed, { skipMissingProperties: false }));
  if (problem) throw problem;
  for (const name of REQUIRED_BY_SERVICE[service]) {
    if (parsed[name] === undefined) {
      const hint =
        name === 'SMTP_URL'
          ? 'the SMTP server for outgoing mail, e.g. smtp://127.0.0.1:1025 (npm start provides a mail catcher)'
          : 'run `npm start` for an embedded database or set DATABASE_URL=postgres://user:password@host:5432/koryu';
      throw new ConfigurationError(name, `is missing: the ${service} service needs ${hint}`);
    }
  }
  const port = parsed.PORT ?? DEFAULT_PORTS[service];
  return {
    service,
    nodeEnv: parsed.NODE_ENV,
    production: parsed.NODE_ENV === 'production',
    port,
    databaseUrl: parsed.DATABASE_URL,
    databasePoolSize: parsed.DATABASE_POOL_SIZE ?? (service === 'api' ? apiPoolSize() : 10),
    redisUrl: parsed.REDIS_URL,
    smtpUrl: parsed.SMTP_URL,
    appBaseUrl: parsed.APP_BASE_URL ?? `http://localhost:${service === 'api' ? port : DEFAULT_PORTS.api}`,
    jwtSecret: parsed.JWT_SECRET,
    jwtTtlSeconds: parsed.JWT_TTL_SECONDS,
    adminEmail: parsed.KORYU_ADMIN_EMAIL?.toLowerCase(),
    adminPassword: parsed.KORYU_ADMIN_PASSWORD,
    demo: parsed.KORYU_DEMO === '1',
    dataDir: parsed.KORYU_DATA_DIR,
    logLevel: parsed.LOG_LEVEL,
    trustProxyHops: parsed.TRUST_PROXY_HOPS,
  };
}

/**
 * The API's default pool: two connections per core, plus two (the PostgreSQL wiki's rule of thumb,
 * cores × 2 + disks). More backends than that only take turns on the same cores, and on a machine
 * that also runs the API they take its turns too: on 2 cores, P1's transitions ran at 1.2–1.5
 * times the rate with 6 connections that they ran with 20 (bench/results, 2026-11-30).
 */
function apiPoolSize(): number {
  return 2 * availableParallelism() + 2;
}
