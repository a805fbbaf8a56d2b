-- Shared by the wrk scripts of this folder (loaded with dofile from the script's own directory).
-- Debian's wrk 4.1 runs LuaJIT: one Lua state per wrk thread, plus the main state that runs setup()
-- and done(). done() prints one line "WRK_JSON {...}" that load/harness/wrk.ts parses.
local M = {}

-- The symbols of load/harness/orders.ts (base price, quantity decimals, quantity range in lots).
M.SYMBOLS = {
  { name = "BTC-USDT", base = 30000, qd = 5, lo = 100, hi = 50000 },
  { name = "ETH-USDT", base = 2000, qd = 4, lo = 100, hi = 50000 },
  { name = "BNB-USDT", base = 300, qd = 3, lo = 50, hi = 20000 },
  { name = "SOL-USDT", base = 100, qd = 2, lo = 20, hi = 5000 },
}

-- Integer count of 10^-d units -> exact decimal string ("12345", 2 -> "123.45").
function M.fixed(units, d)
  local s = string.format("%0" .. (d + 1) .. "d", units)
  if d == 0 then return s end
  return s:sub(1, #s - d) .. "." .. s:sub(#s - d + 1)
end

-- A small deterministic generator (LCG), so each thread's flow is reproducible and cheap.
function M.rng(seed)
  local state = seed % 2147483647
  if state <= 0 then state = state + 2147483646 end
  return function()
    state = (state * 16807) % 2147483647
    return (state - 1) / 2147483646
  end
end

-- POST /order bodies as the harness's crossingOrder: the 4 symbols in turn, buy and sell alternating,
-- limit 80% / ioc 20%, prices within +-0.2% of the base on the 0.01 tick (so buys and sells cross and
-- trades happen), quantities on the lot with the 10 USDT minimum notional. response_type is added when
-- given (nil or "" = the default answer, full, without the field).
function M.bodies(count, seed, response_type)
  local rnd = M.rng(seed)
  local extra = ""
  if response_type ~= nil and response_type ~= "" then
    extra = ',"response_type":"' .. response_type .. '"'
  end
  local out = {}
  for i = 1, count do
    local s = M.SYMBOLS[(i - 1) % #M.SYMBOLS + 1]
    local side = (math.floor((i - 1) / #M.SYMBOLS) % 2 == 0) and "buy" or "sell"
    local kind = (rnd() < 0.8) and "limit" or "ioc"
    local ticks = math.floor(s.base * 100 * (1 + (rnd() * 2 - 1) * 0.002) + 0.5)
    local units = s.lo + math.floor(rnd() * (s.hi - s.lo + 1))
    local min_units = math.ceil(10 * 10 ^ (2 + s.qd) / ticks)
    if units < min_units then units = min_units end
    out[i] = '{"symbol":"' .. s.name .. '","side":"' .. side .. '","order_type":"' .. kind ..
      '","price":"' .. M.fixed(ticks, 2) .. '","quantity":"' .. M.fixed(units, s.qd) .. '"' .. extra .. '}'
  end
  return out
end

-- Threads are numbered in setup() (main state) so each can take its own slice or seed.
local threads = {}
local next_id = 0
function M.setup(thread)
  thread:set("id", next_id)
  thread:set("nthreads", 0) -- set for real below, once every thread exists
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- STATUS_TALLY=1: a response() hook counts every status code (costs wrk a Lua call per answer).
-- Without it, non-2xx is wrk's own count of answers with a status above 399 (the service never sends 1xx/3xx).
M.tally = os.getenv("STATUS_TALLY") == "1"

function M.counter_response(status)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

local function json_value(v)
  if type(v) == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    return string.format("%.17g", v)
  end
  if type(v) == "table" then
    local parts = {}
    for k, x in pairs(v) do table.insert(parts, '"' .. tostring(k) .. '":' .. json_value(x)) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  if v == nil then return "null" end
  return '"' .. tostring(v):gsub('[%c"\\]', "") .. '"'
end

-- The one summary line: wrk's counters and latency (microseconds), plus what each thread counted.
function M.done(summary, latency, _requests)
  local statuses_all = {}
  local tallied = 0
  local non2xx_tally = 0
  local exhausted = 0
  for _, thread in ipairs(threads) do
    local st = thread:get("statuses")
    if type(st) == "table" then
      for code, n in pairs(st) do
        statuses_all[code] = (statuses_all[code] or 0) + n
        tallied = tallied + n
        local c = tonumber(code)
        if c < 200 or c > 299 then non2xx_tally = non2xx_tally + n end
      end
    end
    exhausted = exhausted + (tonumber(thread:get("exhausted")) or 0)
  end
  local e = summary.errors
  local out = {
    requests = summary.requests,
    duration_us = summary.duration,
    bytes = summary.bytes,
    errors = { connect = e.connect, read = e.read, write = e.write, status = e.status, timeout = e.timeout },
    non2xx = M.tally and non2xx_tally or e.status,
    status_tally = M.tally and statuses_all or nil,
    tallied = tallied,
    exhausted = exhausted,
    latency_us = {
      min = latency.min, mean = latency.mean, max = latency.max, stdev = latency.stdev,
      p50 = latency:percentile(50), p90 = latency:percentile(90),
      p99 = latency:percentile(99), p999 = latency:percentile(99.9),
    },
    threads = #threads,
  }
  io.write("WRK_JSON " .. json_value(out) .. "\n")
end

return M
