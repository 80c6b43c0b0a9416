import autocannon from 'autocannon';
import { percentile } from './environment';
import { BenchConnection } from './http-connection';

/** A case of the load and where it stands. */
export interface CasePosition {
  id: string;
  version: number;
  state: string;
}

export interface TransitionLoad {
  base: string;
  /** The cases to move (at least one per connection), as they stand in the database now. */
  cases: CasePosition[];
  tokens: { staff: string; manager: string };
  seconds: number;
  connections: number;
}

export interface TransitionRun {
  /**
   * Requests answered per second. For a paced run, over the time from the first request's due
   * time to the last answer: a system that falls behind the rate answers its backlog after the
   * sending window ends, and that time counts.
   */
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Requests answered 200. */
  completed: number;
  /** Refusals by status and body start, for the report. */
  failures: Map<string, number>;
}

/** A case's next transition: `submit` from draft (staff), else `return` (a manager, with a comment). */
function nextTransition(moving: CasePosition, tokens: TransitionLoad['tokens']): { path: string; headers: Record<string, string>; body: string } {
  const submit = moving.state === 'draft';
  return {
    path: `/api/v1/cases/${moving.id}/actions/${submit ? 'submit' : 'return'}`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${submit ? tokens.staff : tokens.manager}` },
    body: JSON.stringify(submit ? { version: moving.version } : { version: moving.version, comment: '予算の内訳を確認してください' }),
  };
}

/** Where the case stands after a 200 answer. */
function advance(moving: CasePosition, answer: string): void {
  const { version, state } = JSON.parse(answer) as { version: number; state: string };
  moving.version = version;
  moving.state = state;
}

/** Refusals counted by what they said, for the report. */
function failureTally(): { failures: Map<string, number>; fail: (key: string) => void } {
  const failures = new Map<string, number>();
  return { failures, fail: (key) => failures.set(key, (failures.get(key) ?? 0) + 1) };
}

/**
 * Each request takes a case no other request is moving, alternates it between `submit` (staff) and
 * `return` (a manager, with a comment), and gives it back with its new version when answered, so
 * every request is a real transition. The cases wait in a list rather than in autocannon's
 * per-connection context, because autocannon resets that context whenever it wraps around its
 * `requests` (here after every request) and deep-copies `requests` per connection.
 */
export async function submitAndReturn(load: TransitionLoad): Promise<TransitionRun> {
  if (load.cases.length < load.connections) throw new Error(`${load.connections} connections need at least as many cases`);
  const idle = load.cases.map((c) => ({ ...c }));
  const { failures, fail } = failureTally();
  const result = await autocannon({
    url: load.base,
    connections: load.connections,
    pipelining: 1,
    duration: load.seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request, untyped) => {
          const context = untyped as { moving?: CasePosition };
          // One request per connection is in flight and there are at least as many cases, unless a
          // request was lost (a timeout or a broken connection, which the report counts).
          const moving = idle.pop();
          if (!moving) throw new Error('every case is in flight: a request was lost');
          context.moving = moving;
          return { ...request, ...nextTransition(moving, load.tokens) };
        },
        onResponse: (status, body, context) => {
          const { moving } = context as { moving: CasePosition };
          if (status === 200) advance(moving, body);
          else fail(`${status} ${body.slice(0, 120)}`);
          idle.push(moving);
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    completed: result.requests.total - result.non2xx,
    failures,
  };
}

/**
 * The same transitions at a steady rate (open loop): request i is due at start + i / rate, sent
 * then on a free case (or as soon as one is free, when all are in flight), and its latency counts
 * from when it was due, so a slow answer cannot hide the requests it held up. autocannon's own rate
 * option is no substitute: it lets each connection send its whole second's quota back to back at
 * the start of every second, then idle, which loads the system in bursts. A request in flight has
 * a keep-alive connection of its own, so there are at most as many connections as cases.
 */
export async function pacedTransitions(load: Omit<TransitionLoad, 'connections'> & { rate: number }): Promise<TransitionRun> {
  const url = new URL(load.base);
  const connections: BenchConnection[] = [];
  const idle = load.cases.map((c) => ({ ...c }));
  const waiting: number[] = [];
  const latencies: number[] = [];
  const { failures, fail } = failureTally();
  let [completed, non2xx, errors, inFlight, lastAnswer] = [0, 0, 0, 0, 0];
  let finished: () => void = () => undefined;
  const allAnswered = new Promise<void>((resolve) => (finished = resolve));
  let sending = true;

  const send = (dueAt: number, moving: CasePosition) => {
    const { path, headers, body } = nextTransition(moving, load.tokens);
    // A connection of its own while in flight: one request at a time on each.
    const connection = connections.pop() ?? new BenchConnection(url.hostname, Number(url.port));
    inFlight += 1;
    const done = (status: number | undefined, text: string) => {
      inFlight -= 1;
      lastAnswer = performance.now();
      if (status === 200) {
        advance(moving, text);
        completed += 1;
        latencies.push(performance.now() - dueAt);
      } else if (status === undefined) {
        errors += 1;
        fail(`error ${text}`);
      } else {
        non2xx += 1;
        fail(`${status} ${text.slice(0, 120)}`);
      }
      const next = waiting.shift();
      if (next !== undefined) send(next, moving);
      else idle.push(moving);
      if (!sending && inFlight === 0) finished();
    };
    connection.request('POST', path, headers, body).then(
      (answer) => {
        connections.push(connection);
        done(answer.status, answer.body);
      },
      (error: Error) => {
        connection.close();
        done(undefined, error.message);
      },
    );
  };

  const start = performance.now();
  const end = start + load.seconds * 1000;
  const interval = 1000 / load.rate;
  let due = start;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      for (; due <= now && due < end; due += interval) {
        const moving = idle.pop();
        if (moving) send(due, moving);
        else waiting.push(due);
      }
      if (due >= end) resolve();
      else setTimeout(tick, Math.max(0, due - performance.now()));
    };
    tick();
  });
  sending = false;
  if (inFlight > 0) await allAnswered;
  for (const connection of connections) connection.close();
  latencies.sort((a, b) => a - b);
  const took = Math.max(load.seconds * 1000, lastAnswer - start) / 1000;
  return { rps: completed / took, p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), non2xx, errors, completed, failures };
}
