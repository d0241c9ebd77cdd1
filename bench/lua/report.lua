-- Appended to every wrk run: one machine-readable line with the figures the harness keeps.
-- Latencies are in microseconds.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
  if threads then  -- the script counted failed answers by status (post_orders.lua)
    local parts = {}
    for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("failed")) do
        parts[#parts + 1] = string.format('"%d":%d', status, n)
      end
    end
    io.write("BENCH_FAILED {" .. table.concat(parts, ",") .. "}\n")
  end
end
