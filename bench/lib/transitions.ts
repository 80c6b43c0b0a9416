import autocannon from 'autocannon';

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
  /** Requests answered 200. */
  completed: number;
  /** Refusals by status and body start, for the report. */
  failures: Map<string, number>;
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
  const failures = new Map<string, number>();
  const fail = (key: string) => failures.set(key, (failures.get(key) ?? 0) + 1);
  const result = await autocannon({
    url: load.base,
    connections: load.connections,
    pipelining: 1,
    duration: load.seconds,
    ...(load.rate ? { overallRate: load.rate } : {}),
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
          const submit = moving.state === 'draft';
          return {
            ...request,
            path: `/api/v1/cases/${moving.id}/actions/${submit ? 'submit' : 'return'}`,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${submit ? load.tokens.staff : load.tokens.manager}` },
            body: JSON.stringify(submit ? { version: moving.version } : { version: moving.version, comment: '予算の内訳を確認してください' }),
          };
        },
        onResponse: (status, body, context) => {
          const { moving } = context as { moving: CasePosition };
          if (status === 200) {
            const answer = JSON.parse(body) as { version: number; state: string };
            moving.version = answer.version;
            moving.state = answer.state;
          } else {
            fail(`${status} ${body.slice(0, 120)}`);
          }
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
