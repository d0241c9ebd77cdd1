-- A different access token on every request, read from a file of one token per line:
--   wrk ... -s fresh_tokens.lua <url> -- <tokens-file>
-- With more tokens than a verifier caches, every request costs each hop a signature check.
local tokens = {}
local n = 0

init = function(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  n = math.random(1, #tokens)
end

request = function()
  n = n % #tokens + 1
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Authorization"] = "Bearer " .. tokens[n]
  return wrk.format(nil, nil, headers)
end
