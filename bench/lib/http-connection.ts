import { connect, type Socket } from 'node:net';

export interface BenchAnswer {
  status: number;
  body: string;
}

/**
 * One keep-alive HTTP/1.1 connection that sends one request at a time and reads answers with a
 * Content-Length (as the API sends them), for a load generator that must leave the machine's CPU to
 * the system under test: node:http's client costs more CPU per request than the API's own
 * framework, on the same two cores as the API, the worker and PostgreSQL.
 */
export class BenchConnection {
  private readonly socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private pending?: { resolve: (answer: BenchAnswer) => void; reject: (error: Error) => void };

  constructor(private readonly host: string, port: number) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('the connection closed')));
  }

  request(method: string, path: string, headers: Record<string, string>, body: string): Promise<BenchAnswer> {
    if (this.pending) return Promise.reject(new Error('a request is already in flight on this connection'));
    const lines = Object.entries({ host: this.host, 'content-length': String(Buffer.byteLength(body)), ...headers }).map(([name, value]) => `${name}: ${value}\r\n`);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(`${method} ${path} HTTP/1.1\r\n${lines.join('')}\r\n${body}`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    this.buffer = this.buffer.length > 0 ? Buffer.concat([this.buffer, chunk]) : chunk;
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.buffer.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
    if (length === undefined) return this.fail(new Error(`an answer without Content-Length: ${head.split('\r\n')[0]}`));
    const end = headEnd + 4 + Number(length);
    if (this.buffer.length < end) return;
    const answer = { status: Number(head.slice(9, 12)), body: this.buffer.toString('utf8', headEnd + 4, end) };
    this.buffer = this.buffer.subarray(end);
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve(answer);
  }

  private fail(error: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }
}
