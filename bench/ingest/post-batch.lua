-- wrk script: POST /v1/events with a batch of EVENTS events (environment variable, default 20), a new user per request.
local events = tonumber(os.getenv("EVENTS") or "20")
local counter = 0
local items = {}
for i = 1, events do
  items[i] = '{"event_type":"' .. (i % 2 == 0 and "join_guild" or "purchase_sword") .. '","properties":{"item":' .. i .. '}}'
end
local body_events = table.concat(items, ",")

request = function()
  counter = counter + 1
  local body = '{"user_id":"bench-' .. counter .. '","events":[' .. body_events .. ']}'
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end
