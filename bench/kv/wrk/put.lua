-- wrk script: PUT a VALUE_BYTES value under a random key of KEYS (bench-key-N), as bench/kv/run.mjs preloads them.
local keys = tonumber(os.getenv("KEYS") or "10000")
local body = string.rep("v", tonumber(os.getenv("VALUE_BYTES") or "100"))
local headers = { ["Content-Type"] = "application/octet-stream" }

request = function()
  return wrk.format("PUT", "/v1/kv/bench-key-" .. math.random(0, keys - 1), headers, body)
end
