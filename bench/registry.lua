-- wrk script for bench/registry.py: one thread per staff member, each with its own
-- session cookie (REGISTRY_BENCH_COOKIES, one a line), cycling through the request
-- paths (REGISTRY_BENCH_PATHS, one a line); with REGISTRY_BENCH_HTMX=1 the requests
-- carry HX-Request, as typing in the search box does. With REGISTRY_BENCH_PACE_MS
-- each staff member waits about that long after an answer before the next request (a
-- person reading or typing); 0 sends the next at once. At the end one JSON line with
-- throughput and latency percentiles (microseconds), which bench/registry.py reads.

local function lines(path)
  local out = {}
  for line in io.lines(path) do
    if line ~= "" then out[#out + 1] = line end
  end
  return out
end

local cookies = lines(os.getenv("REGISTRY_BENCH_COOKIES"))
local next_thread = 0

setup = function(thread)
  next_thread = next_thread + 1
  thread:set("cookie", cookies[(next_thread - 1) % #cookies + 1])
  thread:set("offset", next_thread * 37)
end

local paths, counter, headers

init = function(args)
  paths = lines(os.getenv("REGISTRY_BENCH_PATHS"))
  counter = offset or 0
  math.randomseed(os.time() + counter)
  headers = {
    ["Cookie"] = cookie,
    ["Accept-Language"] = "id-ID,id;q=0.9,en;q=0.8",
  }
  if os.getenv("REGISTRY_BENCH_HTMX") == "1" then
    headers["HX-Request"] = "true"
  end
end

local pace = tonumber(os.getenv("REGISTRY_BENCH_PACE_MS") or "0")
if pace > 0 then
  -- Between half and one and a half times the pause, at random: eight people do not
  -- click in step (a fixed pause would send all eight requests at the same instant).
  delay = function()
    return math.floor(pace * (0.5 + math.random()))
  end
end

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[counter % #paths + 1], headers)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, ' ..
    '"status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
