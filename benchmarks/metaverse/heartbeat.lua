-- PUT /api/v1/domains/{id}: a stock domain-server heartbeat, rotating over the domains listed in domains.txt.
local domains = {}
for line in io.lines("domains.txt") do
  local id, key = line:match("(%S+) (%S+)")
  domains[#domains + 1] = {id = id, key = key}
end
local n = 0
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  local d = domains[(n % #domains) + 1]
  local body = '{"domain":{"version":"2022.1.0","protocol":"c2lnbmF0dXJl","automatic_networking":"full",' ..
    '"restricted":false,"api_key":"' .. d.key .. '","heartbeat":{"num_users":1,"num_anon_users":1,' ..
    '"user_hostnames":{"*":1}}}}'
  return wrk.format(nil, "/api/v1/domains/" .. d.id, nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
