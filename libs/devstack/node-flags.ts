/**
 * Node.js flags for a process that allocates little once started (the worker, the notifier, the
 * mail catcher): a small young generation. V8 keeps the semi-spaces that startup grew to 16 MB at
 * that size while idle; with these each such process takes about 35 MB less, which keeps the whole
 * set of `npm start` under QUALITY.md P5's 500 MB.
 */
export const QUIET_PROCESS_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/**
 * Node.js flags for the API:
 * - semi-spaces of up to 64 MB (Node's default is 16). A request allocates its body, its rows and
 *   its answer and drops them all; with more room fewer of them are still alive at a scavenge and
 *   get copied. In five alternating P1 pairs the API answered more transitions with it in every
 *   pair (median +8%), with the p99 tighter in four; idle, it grew the API's memory by about 8 MB
 *   (P5).
 * - no allocation-site pretenuring. The objects of the requests waiting on PostgreSQL are alive at
 *   every scavenge, so V8 took their allocation sites for long-lived ones and allocated there
 *   straight in the old generation, where they died a moment later: under P1 the old generation
 *   filled with garbage and a full mark-compact paused the API for 10–13 ms every 5 s, and each
 *   scavenge took 4.1 ms (median). Without it: no mark-compact after start-up in 35 s, scavenges
 *   of 2.3 ms, and in two alternating P1 pairs a higher rate (60.0% against 55.4% of raw, 54.8%
 *   against 52.5%), a lower p99 against its bar (24 against 32.4 ms allowed and 28 against 34.2;
 *   29 against 30.9 and 39 against 36.1) and less CPU per request (0.38 against 0.44 ms, 0.40
 *   against 0.48).
 */
export const API_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64', '--no-allocation-site-pretenuring'];

/** The flags each service runs with, under `npm start`, docker-compose.yml and the benchmarks alike. */
export const SERVICE_NODE_FLAGS: Readonly<Record<'api' | 'worker' | 'notifier', readonly string[]>> = {
  api: API_NODE_FLAGS,
  worker: QUIET_PROCESS_NODE_FLAGS,
  notifier: QUIET_PROCESS_NODE_FLAGS,
};
