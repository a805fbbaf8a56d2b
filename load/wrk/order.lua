-- POST /order with crossing limit/ioc orders (the harness's crossing flow), unsigned:
--   RESPONSE_TYPE=ack wrk -t1 -c32 -d5s -s load/wrk/order.lua http://127.0.0.1:3000
-- RESPONSE_TYPE: ack | result | full, or unset for the default answer (full) without the field.
-- BODIES: distinct bodies each thread cycles through (default 1024). STATUS_TALLY=1: count every status.
-- Works against the bare Fastify route (load/harness/bare-servers.ts) the same way.
-- Ends with a "WRK_JSON {...}" line (requests, non2xx, latency in microseconds) after wrk's own report.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local requests_ = {}
local n = 0
local i = 0
statuses = {}
exhausted = 0

function setup(thread) common.setup(thread) end

function init(_args)
  local count = tonumber(os.getenv("BODIES") or "") or 1024
  local bodies = common.bodies(count, 12345 + 7919 * (tonumber(wrk.thread:get("id")) or 0), os.getenv("RESPONSE_TYPE"))
  local headers = { ["Content-Type"] = "application/json" }
  for k, body in ipairs(bodies) do requests_[k] = wrk.format("POST", "/order", headers, body) end
  n = #requests_
end

function request()
  i = i % n + 1
  return requests_[i]
end

if common.tally then
  function response(status, _headers, _body) common.counter_response(status) end
end

function done(summary, latency, reqs) common.done(summary, latency, reqs) end
