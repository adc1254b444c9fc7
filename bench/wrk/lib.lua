-- Shared by every wrk scenario of the StockWiz benchmark. A scenario sets
-- the global `request` function; this file adds the token header, counts
-- every answer that is not a 2xx by status and by wall-clock second, and
-- prints one JSON summary line that bench/stack.py reads.
--
-- Settings come from the environment, so one script serves many URLs:
--   BENCH_TOKEN     API token sent as "Authorization: Token <key>"
--   BENCH_PREFIX    path prefix: "" for a service, "/api" through the gateway
--   BENCH_NOCACHE   "1" adds a random query parameter, so every read misses
--                   the response caches keyed on the URL

local lib = {}

lib.prefix = os.getenv("BENCH_PREFIX") or ""
lib.nocache = os.getenv("BENCH_NOCACHE") == "1"
lib.headers = { ["Content-Type"] = "application/json" }
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  lib.headers["Authorization"] = "Token " .. token
end

function lib.getenv_number(name, default)
  local value = tonumber(os.getenv(name) or "")
  if value == nil then
    return default
  end
  return value
end

-- Appends the cache-busting parameter when asked for.
function lib.url(path, query)
  local parts = {}
  if query and query ~= "" then
    parts[#parts + 1] = query
  end
  if lib.nocache then
    parts[#parts + 1] = "nc=" .. math.random(1, 2000000000)
  end
  if #parts == 0 then
    return lib.prefix .. path
  end
  return lib.prefix .. path .. "?" .. table.concat(parts, "&")
end

function lib.get(path, query)
  return wrk.format("GET", lib.url(path, query), lib.headers)
end

function lib.post(path, body)
  return wrk.format("POST", lib.prefix .. path, lib.headers, body)
end

-- Per-thread state, read back by done() through thread:get().
local threads = {}
local next_thread_id = 1

function setup(thread)
  thread:set("thread_id", next_thread_id)
  next_thread_id = next_thread_id + 1
  threads[#threads + 1] = thread
end

ok_count = 0
-- 2xx answers of /api/products-full that came without the stock
-- ("X-Degraded: inventory"): counted apart, never as plain successes.
degraded_count = 0
status_counts = {}
-- "<epoch second>" -> count: when answers succeeded and failed (drills).
-- Flat tables: thread:get() copies nested ones wrongly.
ok_per_second = {}
failed_per_second = {}

function init(args)
  -- Each thread its own random sequence.
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
  if lib.init then
    lib.init(args)
  end
end

function response(status, headers, body)
  local second = tostring(os.time())
  if status >= 200 and status < 300 and headers["X-Degraded"] == nil then
    ok_count = ok_count + 1
    ok_per_second[second] = (ok_per_second[second] or 0) + 1
    return
  end
  if status >= 200 and status < 300 then
    degraded_count = degraded_count + 1
  else
    local key = tostring(status)
    status_counts[key] = (status_counts[key] or 0) + 1
  end
  failed_per_second[second] = (failed_per_second[second] or 0) + 1
end

local function json_object(map)
  local parts = {}
  for key, value in pairs(map) do
    if type(value) == "table" then
      value = json_object(value)
    end
    parts[#parts + 1] = string.format("%q:%s", key, value)
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local ok, degraded = 0, 0
  local statuses, ok_seconds, failed_seconds = {}, {}, {}
  local function add(into, from)
    for key, count in pairs(from) do
      into[key] = (into[key] or 0) + count
    end
  end
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("ok_count")
    degraded = degraded + thread:get("degraded_count")
    add(statuses, thread:get("status_counts"))
    add(ok_seconds, thread:get("ok_per_second"))
    add(failed_seconds, thread:get("failed_per_second"))
  end
  local errors = summary.errors
  io.write(
    "BENCH_JSON "
      .. json_object({
        requests = summary.requests,
        duration_us = summary.duration,
        bytes = summary.bytes,
        ok = ok,
        degraded = degraded,
        p50_us = latency:percentile(50),
        p99_us = latency:percentile(99),
        max_us = latency.max,
        mean_us = latency.mean,
        socket_errors = {
          connect = errors.connect,
          read = errors.read,
          write = errors.write,
          timeout = errors.timeout,
        },
        statuses = statuses,
        ok_per_second = ok_seconds,
        failed_per_second = failed_seconds,
      })
      .. "\n"
  )
end

return lib
