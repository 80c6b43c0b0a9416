import pino, { type Logger } from 'pino';

/**
 * Where the JSON logs go: standard output, written in 4 KiB chunks off the request path rather than
 * one blocking write per line (a slow reader of the output would otherwise stall every request),
 * and at least once a second; at shutdown (LogFlusher) what is left, and the timer stops.
 */
export class LogOutput {
  readonly stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  /**
   * The one line per request, on the same output and level as every other line. Its fields are
   * fixed and built by the HTTP layer (method, URL with tokens masked, status, time, request id),
   * so it goes without the application logger's redaction and context mixin, which cost more than
   * the rest of the line.
   */
  readonly requests: Logger;
  /** What every logger on this output shares: the level and the service's name on each line. */
  readonly options: { level: string; base: { service: string } };
  private readonly timer = setInterval(() => {
    // flush() throws while the stream is still opening; the next tick writes it.
    try {
      this.stream.flush();
    } catch {
      /* not ready yet */
    }
  }, 1000).unref();

  constructor({ level, service }: { level: string; service: string }) {
    this.options = { level, base: { service } };
    this.requests = pino(this.options, this.stream);
  }

  close(): void {
    clearInterval(this.timer);
    try {
      this.stream.flushSync();
    } catch {
      /* never opened: nothing was written */
    }
  }
}
