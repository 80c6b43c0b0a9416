import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';

/**
 * One PostgreSQL session beside a DataSource's pool, for short statements that must not queue
 * behind the pool's work (the outbox relay's wake-up NOTIFY: when every pooled connection is busy
 * and requests wait for one, a wake-up sent through the pool would wait with them, and the relay
 * would sleep meanwhile). Connected on first use, and again on the use after an error; statements
 * on it run one after another, in order.
 */
export class SideConnection {
  private session?: Promise<Client>;
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly applicationName: string,
  ) {}

  async query(text: string): Promise<void> {
    if (this.closed) throw new Error('the side connection is closed');
    const session = (this.session ??= this.open());
    let client: Client;
    try {
      client = await session;
    } catch (error) {
      if (this.session === session) this.session = undefined;
      throw error;
    }
    try {
      await client.query(text);
    } catch (error) {
      this.forget(session, client);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    await session?.then((client) => client.end()).catch(() => undefined);
  }

  private open(): Promise<Client> {
    const { url } = this.dataSource.options as PostgresDataSourceOptions;
    const client = new Client({ connectionString: url, application_name: this.applicationName });
    const session = client.connect().then(() => client);
    // A broken session is dropped; the next statement opens another.
    client.on('error', () => this.forget(session, client));
    return session;
  }

  private forget(session: Promise<Client>, client: Client): void {
    if (this.session === session) this.session = undefined;
    void client.end().catch(() => undefined);
  }
}
