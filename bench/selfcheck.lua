-- wrk script for bench/lists.py: every connection POSTs the self-check form (CSRF token
-- and session cookie from the environment, a NIK that is on no list) and the run ends
-- with one JSON line of how many answers were 200, 429 (rate-limited) or other.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok, limited, other = 0, 0, 0
  wrk.method = "POST"
  wrk.body = "csrf_token=" .. os.getenv("BENCH_CSRF") .. "&nik=1403090101010001&name=Uji+Beban"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  elseif status == 429 then
    limited = limited + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local o, l, x = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    l = l + t:get("limited")
    x = x + t:get("other")
  end
  io.write(string.format(
    'SELFCHECK-JSON {"requests": %d, "duration_us": %d, "ok": %d, "limited": %d, ' ..
    '"other": %d, "p95_us": %d}\n',
    summary.requests, summary.duration, o, l, x, latency:percentile(95)))
end
