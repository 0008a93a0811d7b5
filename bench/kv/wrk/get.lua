-- wrk script: GET a random key of KEYS under PATH_PREFIX (/v1/kv/ on a node, /v1/empty/ on the empty handler).
local keys = tonumber(os.getenv("KEYS") or "10000")
local prefix = os.getenv("PATH_PREFIX") or "/v1/kv/"

request = function()
  return wrk.format("GET", prefix .. "bench-key-" .. math.random(0, keys - 1))
end
