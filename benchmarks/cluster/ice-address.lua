-- PUT /api/v1/domains/{id}/ice_server_address: a durable change on every request (the address alternates per domain),
-- so each one goes through the registry's log. Each wrk thread takes its own share of the domains in domains.txt.
local all = {}
for line in io.lines("domains.txt") do
  local id, key = line:match("(%S+) (%S+)")
  all[#all + 1] = {id = id, key = key}
end
local threads = 0
setup = function(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local domains = nil
local n = 0
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
request = function()
  if domains == nil then
    domains = {}
    for i = 1, #all do
      if (i - 1) % 2 == tid then domains[#domains + 1] = all[i] end
    end
  end
  local d = domains[(n % #domains) + 1]
  local address = (math.floor(n / #domains) % 2 == 0) and "192.0.2.1" or "192.0.2.2"
  n = n + 1
  local body = '{"domain":{"api_key":"' .. d.key .. '","ice_server_address":"' .. address .. '"}}'
  return wrk.format(nil, "/api/v1/domains/" .. d.id .. "/ice_server_address", nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
