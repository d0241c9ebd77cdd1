-- POST /api/orders with a fresh Idempotency-Key each time, for the customers given as arguments:
--   wrk ... -s post_orders.lua <url> -- <run-tag> <customer-id> [<customer-id> ...]
local customers = {}
local tag = "bench"
local counter = 0

init = function(args)
  tag = args[1] .. "-" .. tostring(math.random(1, 1000000000))
  for i = 2, #args do customers[#customers + 1] = args[i] end
end

request = function()
  counter = counter + 1
  local customer = customers[(counter % #customers) + 1]
  local body = string.format(
    '{"customer_id":"%s","items":[' ..
    '{"sku":"SKU-%d","name":"Bench widget","quantity":2,"unit_price_cents":1250},' ..
    '{"sku":"SKU-9","name":"Bench gadget","quantity":1,"unit_price_cents":4999}],' ..
    '"notes":"wrk"}', customer, counter % 100)
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end  -- -H: Authorization
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = string.format("%s-%d", tag, counter)
  return wrk.format("POST", wrk.path, headers, body)
end

-- Count the answers that were not 2xx by status, so a failed write says what it was.
threads = {}
setup = function(thread) table.insert(threads, thread) end
failed = {}
response = function(status, headers, body)
  if status >= 300 then failed[status] = (failed[status] or 0) + 1 end
end
