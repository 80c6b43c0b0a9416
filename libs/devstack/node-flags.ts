/**
 * Node.js flags for a process that allocates little once started (the worker, the notifier, the
 * mail catcher): a small young generation. V8 keeps the semi-spaces that startup grew to 16 MB at
 * that size while idle; with these each such process takes about 35 MB less, which keeps the whole
 * set of `npm start` under QUALITY.md P5's 500 MB.
 */
export const QUIET_PROCESS_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/**
 * Node.js flags for the API: semi-spaces of up to 64 MB (Node's default is 16). A request allocates
 * its body, its rows and its answer and drops them all; with more room fewer of them are still
 * alive at a scavenge and get copied. In five alternating P1 pairs the API answered more
 * transitions with it in every pair (median +8%), with the p99 tighter in four; idle, it grew the
 * API's memory by about 8 MB (P5).
 */
export const API_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

/** The flags each service runs with, under `npm start`, docker-compose.yml and the benchmarks alike. */
export const SERVICE_NODE_FLAGS: Readonly<Record<'api' | 'worker' | 'notifier', readonly string[]>> = {
  api: API_NODE_FLAGS,
  worker: QUIET_PROCESS_NODE_FLAGS,
  notifier: QUIET_PROCESS_NODE_FLAGS,
};
