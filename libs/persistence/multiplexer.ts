import { Client, type ClientConfig, type QueryResultRow } from 'pg';

export interface MultiplexerOptions {
  /** How to connect: the pool's own options (the driver ignores the pool-only ones). */
  connection: ClientConfig;
  /** At most this many connections, each opened when every open one is busy. */
  size: number;
  /** Statements written to one connection before its earlier ones have answered. */
  depth?: number;
  /** How long a statement waits for room on a connection before it fails (as the pool's wait for a client does). */
  waitMs?: number;
  /** A connection's error, after which it is dropped (the statements on it fail with the error). */
  onError?: (error: Error) => void;
}

interface Connection {
  client: Client;
  ready: Promise<void>;
  inFlight: number;
}

interface Waiter {
  resolve: (connection: Connection) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Single-statement, autocommit queries of many callers over a few shared connections in
 * node-postgres's pipeline mode, as Npgsql's multiplexing does: a statement is written to a
 * connection while the ones before it are still running, so PostgreSQL goes from one to the next
 * without waiting for the client, and the client reads several answers at once.
 *
 * Each statement still ends with its own Sync, so it is its own transaction: it commits or fails
 * alone, and an error fails only its own statement. Transactions (BEGIN … COMMIT) never come here:
 * they hold a pooled connection of their own.
 *
 * A statement goes to the open connection with the fewest in flight; a new connection opens when
 * every open one is busy and there are fewer than `size`. Beyond `depth` on every connection,
 * statements wait in order, and one that waited `waitMs` fails with the pool's own message, so a
 * stalled server is answered as the pool answers it. A connection that errs is dropped and its
 * statements fail; the next statement opens another.
 */
export class Multiplexer {
  private readonly connections: Connection[] = [];
  private readonly waiting: Waiter[] = [];
  private readonly depth: number;
  private readonly waitMs: number;
  private closed = false;

  constructor(private readonly options: MultiplexerOptions) {
    this.depth = options.depth ?? 2;
    this.waitMs = options.waitMs ?? 5_000;
  }

  /** Runs one statement (when named, prepared once per connection) and answers its rows. */
  async query<T extends QueryResultRow>(name: string | undefined, text: string, values: unknown[]): Promise<T[]> {
    for (;;) {
      const connection = this.acquire() ?? (await this.wait());
      try {
        await connection.ready;
        // Dropped while this statement waited its turn (another statement's session ended): nothing
        // was sent on it, so the statement takes another connection rather than the closed client.
        if (!this.connections.includes(connection)) continue;
        return (await connection.client.query<T>({ name, text, values })).rows;
      } catch (error) {
        // The session ended (FATAL: terminated, shut down) or its socket failed: no statement may follow on it.
        if (endsSession(error)) this.drop(connection);
        throw error;
      } finally {
        this.release(connection);
      }
    }
  }

  /** Open connections, for tests and metrics. */
  get open(): number {
    return this.connections.length;
  }

  /** Ends every connection once its statements have answered; statements still waiting fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('the database connections are closed'));
    }
    const clients = this.connections.splice(0).map((connection) => connection.client);
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  }

  /** A connection with room, counted as taken; undefined when every one is full. */
  private acquire(): Connection | undefined {
    if (this.closed) throw new Error('the database connections are closed');
    let least: Connection | undefined;
    for (const connection of this.connections) if (!least || connection.inFlight < least.inFlight) least = connection;
    const chosen = (!least || least.inFlight > 0) && this.connections.length < this.options.size ? this.connect() : least && least.inFlight < this.depth ? least : undefined;
    if (chosen) chosen.inFlight += 1;
    return chosen;
  }

  private wait(): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(new Error('timeout exceeded when trying to connect'));
        }, this.waitMs),
      };
      this.waiting.push(waiter);
    });
  }

  private release(connection: Connection): void {
    connection.inFlight -= 1;
    this.serveWaiting();
  }

  /** Hands connections with room (opening one where allowed) to the statements waiting, first come first served. */
  private serveWaiting(): void {
    while (this.waiting.length > 0 && !this.closed) {
      const connection = this.acquire();
      if (!connection) return;
      const waiter = this.waiting.shift() as Waiter;
      clearTimeout(waiter.timer);
      waiter.resolve(connection);
    }
  }

  private connect(): Connection {
    const client = new Client({ ...this.options.connection, pipeline: true } as ClientConfig);
    const connection: Connection = { client, ready: Promise.resolve(), inFlight: 0 };
    client.on('error', (error: Error) => {
      this.options.onError?.(error);
      this.drop(connection);
    });
    client.on('end', () => this.drop(connection));
    connection.ready = client.connect().then(
      () => undefined,
      (error: unknown) => {
        this.drop(connection);
        throw error;
      },
    );
    // Each statement on it awaits `ready`; this keeps a failed connect from also being reported as unhandled.
    connection.ready.catch(() => undefined);
    this.connections.push(connection);
    return connection;
  }

  /** Takes a broken connection out of use (once; a closed multiplexer has none left to drop). */
  private drop(connection: Connection): void {
    const index = this.connections.indexOf(connection);
    if (index < 0) return;
    this.connections.splice(index, 1);
    void connection.client.end().catch(() => undefined);
    // Statements waiting for room may now open a connection in its place.
    this.serveWaiting();
  }
}

/** An error after which the session is gone: PostgreSQL's FATAL or PANIC, or a failure of the socket itself (no severity). */
function endsSession(error: unknown): boolean {
  const severity = (error as { severity?: unknown } | undefined)?.severity;
  return severity === undefined || severity === 'FATAL' || severity === 'PANIC';
}
