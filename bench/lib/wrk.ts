import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TransitionLoad, TransitionRun } from './transitions';

const run = promisify(execFile);
const WRK = '/usr/bin/wrk';
const THREADS = 2;
const COMMENT = '予算の内訳を確認してください';

/**
 * wrk's Lua script for the submit/return load of `submitAndReturn`: each wrk thread owns the cases
 * whose line number is its index modulo the thread count; a request takes one of them that no
 * request is moving and alternates it between `submit` (staff) and `return` (a manager, with a
 * comment); the answer (the case, whose first key is its id, then its version and state before its
 * deadlines) puts it back where it now stands. A refused request loses its case for the run (the
 * refusal does not name it), so there are two cases per connection, and `done` prints the refusals.
 */
const SCRIPT = String.raw`
local cases, idle, staff, manager, comment = {}, {}, nil, nil, nil
local threads = {}
-- A global, so that done() can read each thread's copy with thread:get.
refusals = {}

function setup(thread)
  thread:set("index", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  local lines = {}
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
  staff, manager, comment = lines[1], lines[2], lines[3]
  for i = 4, #lines do
    if (i - 4) % tonumber(args[2]) == index then
      local id, version, state = lines[i]:match("^(%S+) (%d+) (%S+)$")
      cases[id] = { id = id, version = tonumber(version), state = state }
      idle[#idle + 1] = cases[id]
    end
  end
end

function request()
  local c = table.remove(idle)
  if c == nil then error("every case of this thread is in flight or lost to a refusal") end
  if c.state == "draft" then
    return wrk.format("POST", "/api/v1/cases/" .. c.id .. "/actions/submit",
      { ["content-type"] = "application/json", authorization = "Bearer " .. staff },
      '{"version":' .. c.version .. '}')
  end
  return wrk.format("POST", "/api/v1/cases/" .. c.id .. "/actions/return",
    { ["content-type"] = "application/json", authorization = "Bearer " .. manager },
    '{"version":' .. c.version .. ',"comment":"' .. comment .. '"}')
end

function response(status, headers, body)
  local c = cases[body:match('^{"id":"([^"]+)"') or ""]
  if status == 200 and c then
    c.version = tonumber(body:match('"version":(%d+)'))
    c.state = body:match('"state":"([^"]+)"')
    idle[#idle + 1] = c
  else
    refusals[#refusals + 1] = status .. " " .. body:sub(1, 120):gsub("\n", " ")
  end
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    local seen = thread:get("refusals")
    for _, refusal in ipairs(seen) do io.write("refused: ", refusal, "\n") end
  end
end
`;

/** Milliseconds from one of wrk's durations ("812.00us", "23.41ms", "1.02s"). */
function milliseconds(text: string): number {
  const [, value, unit] = /^([\d.]+)(us|ms|s|m)$/.exec(text) ?? [];
  const factor = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit as 'us' | 'ms' | 's' | 'm'];
  return factor === undefined ? NaN : Number(value) * factor;
}

/**
 * The load of `submitAndReturn` (closed loop: each connection sends its next request when the last
 * is answered) driven by wrk, a load generator written in C as pgbench is, so that on this
 * two-core machine the HTTP side does not pay a Node.js client's CPU that the raw side does not pay.
 */
export async function wrkTransitions(load: TransitionLoad & { workDir: string }): Promise<TransitionRun> {
  if (!existsSync(WRK)) throw new Error(`${WRK} not found: install it (Debian: apt-get install -y wrk)`);
  if (load.cases.length < 2 * load.connections) throw new Error(`${load.connections} connections need twice as many cases`);
  const scriptPath = join(load.workDir, 'wrk-transitions.lua');
  const casesPath = join(load.workDir, 'wrk-cases.txt');
  writeFileSync(scriptPath, SCRIPT);
  writeFileSync(casesPath, [load.tokens.staff, load.tokens.manager, COMMENT, ...load.cases.map((c) => `${c.id} ${c.version} ${c.state}`)].join('\n') + '\n');
  const { stdout } = await run(WRK, [`-t${THREADS}`, `-c${load.connections}`, `-d${load.seconds}s`, '--latency', '-s', scriptPath, load.base, '--', casesPath, String(THREADS)], { maxBuffer: 1 << 24 });
  const match = (pattern: RegExp) => pattern.exec(stdout)?.[1];
  const total = Number(match(/(\d+) requests in/));
  const non2xx = Number(match(/Non-2xx or 3xx responses: (\d+)/) ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const errors = socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  const failures = new Map<string, number>();
  for (const [, refusal] of stdout.matchAll(/^refused: (.*)$/gm)) failures.set(refusal, (failures.get(refusal) ?? 0) + 1);
  if (!Number.isFinite(total)) throw new Error(`wrk said nothing usable:\n${stdout}`);
  return {
    rps: Number(match(/Requests\/sec:\s+([\d.]+)/)),
    p50: Math.round(milliseconds(match(/^\s+50%\s+(\S+)/m) ?? '')),
    p99: Math.round(milliseconds(match(/^\s+99%\s+(\S+)/m) ?? '')),
    non2xx,
    errors,
    completed: total - non2xx,
    failures,
  };
}
