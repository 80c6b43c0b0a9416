import { DataSource, type DataSourceOptions } from 'typeorm';
import { AuditLogEntity } from './entities/audit-log.entity';
import { OrganisationEntity } from './entities/organisation.entity';
import { UserEntity } from './entities/user.entity';
import { MIGRATIONS } from './migrations';

export const ENTITIES = [OrganisationEntity, UserEntity, AuditLogEntity];

export interface DatabaseOptions {
  url: string;
  /** Connections in this process's pool. */
  poolSize?: number;
  applicationName?: string;
  onPoolError?: (error: Error) => void;
}

export function dataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    // Never synchronize: the schema is exactly what the committed migrations say.
    synchronize: false,
    migrationsRun: false,
    applicationName: options.applicationName,
    poolSize: options.poolSize ?? 10,
    // Without a handler an idle client's error (PostgreSQL restarted) crashes the process: typeorm #1689.
    poolErrorHandler: options.onPoolError ?? (() => undefined),
    extra: {
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // Bounded statements: a stuck query fails rather than holding a request forever.
      statement_timeout: 30_000,
    },
  };
}

export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource(dataSourceOptions(options));
}
