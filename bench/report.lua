-- wrk script: the same request on every connection, and at the end one JSON line with
-- throughput and latency percentiles, which bench/run.py reads. Times in microseconds.
--
-- With BENCH_MISS=1 every request adds a unique, otherwise ignored parameter
-- (?bench-miss=N), so that no request can be answered from the page cache: the row
-- then measures what rendering the page really costs.
if os.getenv("BENCH_MISS") == "1" then
  local counter = 0
  request = function()
    counter = counter + 1
    local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
    return wrk.format(nil, wrk.path .. sep .. "bench-miss=" .. counter)
  end
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
