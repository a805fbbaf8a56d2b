-- POST /order signed (AUTH=required), each request pre-signed by Node (load/harness/wrk.ts writes the file):
--   REQUESTS_FILE=/tmp/signed.tsv wrk -t1 -c32 -d5s -s load/wrk/signed-order.lua http://127.0.0.1:3000
-- The file has one request a line: api key <TAB> timestamp (ms) <TAB> signature <TAB> JSON body.
-- The service's replay cache refuses a signature used twice, so each line is sent once: thread k of T
-- takes lines k+1, k+1+T, ...; past its last line it starts over and counts `exhausted` (those requests
-- are refused, 401, and show in non2xx: a run that ran out of requests is reported broken, not fast).
-- The timestamps must still be inside the server's AUTH_RECV_WINDOW_MS when sent (the harness sets it).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local requests_ = {}
local n = 0
local i = 0
statuses = {}
exhausted = 0

function setup(thread) common.setup(thread) end

function init(_args)
  local file = os.getenv("REQUESTS_FILE")
  if file == nil or file == "" then error("signed-order.lua: set REQUESTS_FILE to the pre-signed requests") end
  local id = tonumber(wrk.thread:get("id")) or 0
  local nthreads = tonumber(os.getenv("WRK_THREADS") or "") or 1
  local line_no = 0
  for line in io.lines(file) do
    if line_no % nthreads == id then
      local key, ts, sig, body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$")
      if key ~= nil then
        requests_[#requests_ + 1] = wrk.format("POST", "/order", {
          ["Content-Type"] = "application/json", ["X-API-KEY"] = key, ["X-TIMESTAMP"] = ts, ["X-SIGNATURE"] = sig
        }, body)
      end
    end
    line_no = line_no + 1
  end
  n = #requests_
  if n == 0 then error("signed-order.lua: no requests for thread " .. id .. " in " .. file) end
end

function request()
  i = i + 1
  if i > n then
    exhausted = exhausted + 1
    return requests_[(i - 1) % n + 1]
  end
  return requests_[i]
end

if common.tally then
  function response(status, _headers, _body) common.counter_response(status) end
end

function done(summary, latency, reqs) common.done(summary, latency, reqs) end
