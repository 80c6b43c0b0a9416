import type { DataSource } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { Multiplexer } from './multiplexer';

/**
 * One PostgreSQL session beside a DataSource's pool, for short statements that must not queue
 * behind the pool's work (the outbox relay's wake-up NOTIFY: when every pooled connection is busy
 * and requests wait for one, a wake-up sent through the pool would wait with them, and the relay
 * would sleep meanwhile). A Multiplexer of one connection: opened on first use, and again on the
 * use after an error; statements on it run one after another, in order.
 */
export class SideConnection {
  private readonly session: Multiplexer;

  constructor(dataSource: DataSource, applicationName: string) {
    const { url } = dataSource.options as PostgresDataSourceOptions;
    this.session = new Multiplexer({ connection: { connectionString: url, application_name: applicationName }, size: 1 });
  }

  async query(text: string): Promise<void> {
    await this.session.query(undefined, text, []);
  }

  close(): Promise<void> {
    return this.session.close();
  }
}
