import autocannon from 'autocannon';

/** Where one autocannon connection stands: its case (by index) and the case's version and state. */
export interface TransitionContext {
  index?: number;
  version: number;
  state: string;
}

export interface TransitionLoad {
  base: string;
  caseIds: string[];
  tokens: { staff: string; manager: string };
  seconds: number;
  /** Sets a connection's version and state from where its case stands (autocannon makes fresh contexts per run). */
  seed: (context: TransitionContext) => void;
  /** Requests per second over all connections (open loop); as fast as answers come when absent. */
  rate?: number;
  connections: number;
}

export interface TransitionRun {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Transitions answered 200 (the first request of each connection is a GET). */
  completed: number;
  /** Refusals by status and body start, for the report. */
  failures: Map<string, number>;
}

/**
 * Each connection owns one case and alternates `submit` (staff) and `return` (a manager, with a
 * comment), so every request is a real transition. Entry 0 is a GET that assigns the connection
 * its case and changes nothing; autocannon resets a connection's context whenever it wraps around
 * `requests`, so one entry is repeated to keep the case and version for the whole run (30,000 per
 * connection is far beyond a run; autocannon deep-copies the list per connection, so it stays small).
 */
export async function submitAndReturn(load: TransitionLoad): Promise<TransitionRun> {
  let next = 0;
  const failures = new Map<string, number>();
  const fail = (key: string) => failures.set(key, (failures.get(key) ?? 0) + 1);
  const result = await autocannon({
    url: load.base,
    connections: load.connections,
    pipelining: 1,
    duration: load.seconds,
    ...(load.rate ? { overallRate: load.rate } : {}),
    initialContext: { version: 0, state: '' },
    requests: [
      {
        method: 'GET',
        setupRequest: (request, untyped) => {
          const context = untyped as TransitionContext;
          if (context.index === undefined) {
            context.index = next++ % load.caseIds.length;
            load.seed(context);
          }
          return { ...request, path: `/api/v1/cases/${load.caseIds[context.index]}`, headers: { authorization: `Bearer ${load.tokens.staff}` } };
        },
        onResponse: (status) => {
          if (status !== 200) fail(`${status} GET`);
        },
      },
      ...Array<autocannon.Request>(30_000).fill({
        method: 'POST',
        setupRequest: (request, untyped) => {
          const context = untyped as TransitionContext & { index: number };
          const submit = context.state === 'draft';
          return {
            ...request,
            path: `/api/v1/cases/${load.caseIds[context.index]}/actions/${submit ? 'submit' : 'return'}`,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${submit ? load.tokens.staff : load.tokens.manager}` },
            body: JSON.stringify(submit ? { version: context.version } : { version: context.version, comment: '予算の内訳を確認してください' }),
          };
        },
        onResponse: (status, body, untyped) => {
          const context = untyped as TransitionContext;
          if (status !== 200) {
            fail(`${status} ${body.slice(0, 120)}`);
            return;
          }
          const parsed = JSON.parse(body) as { version: number; state: string };
          context.version = parsed.version;
          context.state = parsed.state;
        },
      }),
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    completed: result.requests.total - load.connections,
    failures,
  };
}
