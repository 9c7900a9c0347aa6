-- wrk script for bench/participation.py: POST the voting form of one ballot, one voter
-- after the other (round robin over the file BENCH_VOTERS: one line per voter with the
-- session cookie, the CSRF token and the option it votes for, tab-separated), and at the
-- end one JSON line: requests sent, answers by kind, latency percentiles (microseconds).
-- An accepted vote answers 302 (back to the ballot page); 429 is the rate limit; 400 a
-- refused vote.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  voters = {}
  for line in io.lines(os.getenv("BENCH_VOTERS")) do
    local cookie, token, option = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
    table.insert(voters, {
      cookie = cookie,
      body = "csrf_token=" .. token .. "&option=" .. option,
    })
  end
  path = os.getenv("BENCH_VOTE_PATH")
  sent, ok, limited, refused, other = 0, 0, 0, 0, 0
end

function request()
  local v = voters[(sent % #voters) + 1]
  sent = sent + 1
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = v.cookie,
    ["Accept-Language"] = "id-ID,id;q=0.9",
  }, v.body)
end

function response(status, headers, body)
  if status == 302 or status == 303 then
    ok = ok + 1
  elseif status == 429 then
    limited = limited + 1
  elseif status == 400 then
    refused = refused + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local s, o, l, r, x = 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    s = s + t:get("sent")
    o = o + t:get("ok")
    l = l + t:get("limited")
    r = r + t:get("refused")
    x = x + t:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    'VOTE-JSON {"sent": %d, "requests": %d, "duration_us": %d, "ok": %d, "limited": %d, ' ..
    '"refused": %d, "other": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"errors": %d}\n',
    s, summary.requests, summary.duration, o, l, r, x,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout))
end
