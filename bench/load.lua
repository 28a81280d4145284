-- The mixed workload of `python -m bench.load`, for wrk: lists, details and progress updates.
--
-- wrk runs one connection per thread (-t equal to -c), so in each thread's Lua state the calls
-- strictly alternate request(), response(), request()…: the response in hand answers the last
-- request made, which is what lets each answer be timed and judged per kind. Every request is
-- written to the thread's log when it is sent and again when it is answered; the Python driver
-- reads the logs, so a request still in flight when wrk stops is known as such.
--
-- Arguments (after `--`): the plan file written by bench/load.py, and the directory of the logs.

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000000 + math.floor(tonumber(clock.tv_nsec) / 1000)
end

-- In the main state: number the threads, so each takes its own official from the plan.
local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

local plan, connection, log
local host, get_headers
local post_sequence, next_target = 0, 1
local pending = nil

function init(args)
  plan = dofile(args[1])
  connection = plan.connections[thread_number]
  log = io.open(args[2] .. "/connection-" .. thread_number .. ".log", "w")
  -- Line-buffered: a log cut off by wrk's exit would look like lost requests.
  log:setvbuf("line")
  math.randomseed(plan.seed + thread_number)
  host = plan.host
  get_headers = { Host = host, Cookie = connection.cookie }
end

local function url_encode(text)
  return (text:gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local function progress_post()
  -- Round-robin over this connection's own commitments: no other connection posts on them,
  -- so a refusal can only come from a writer outside the run.
  local target = connection.targets[next_target]
  next_target = next_target % #connection.targets + 1
  post_sequence = post_sequence + 1
  local note = plan.marker .. " c" .. thread_number .. " n" .. post_sequence
  local body = "csrfmiddlewaretoken=" .. url_encode(connection.csrf_token)
    .. "&status=" .. target.status
    .. "&note=" .. url_encode(note)
    .. "&version=" .. target.version
  local headers = {
    Host = host,
    Cookie = connection.cookie,
    -- A browser names the page's origin on every POST; Django's CSRF check compares it.
    Origin = "http://" .. host,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  pending = { kind = "post", target = target, version = target.version, note = note }
  return wrk.format("POST", target.path, headers, body)
end

function request()
  if pending then
    -- No answer came (a socket error): wrk moved on to a new request on a new socket.
    log:write(string.format("lost %s %s\n", pending.kind, pending.note or pending.path))
  end
  local draw = math.random()
  local path
  if draw < plan.list_share then
    path = connection.lists[math.random(#connection.lists)]
    pending = { kind = "list", path = path }
  elseif draw < plan.list_share + plan.detail_share then
    path = connection.details[math.random(#connection.details)]
    pending = { kind = "detail", path = path }
  else
    local post = progress_post()
    log:write(string.format("sent post %s\n", pending.note))
    pending.started = now_us()
    return post
  end
  pending.started = now_us()
  return wrk.format("GET", path, get_headers)
end

function response(status, headers, body)
  local elapsed = now_us() - pending.started
  local outcome
  if pending.kind ~= "post" then
    outcome = (status == 200) and "ok" or "error"
  elseif status == 302 then
    outcome = "accepted"
    pending.target.version = pending.version + 1
  elseif status == 200 then
    -- The form again: a stale version (the view shows the current one) or a validation error.
    local current = tonumber(body:match('name="version"[^>]-value="(%d+)"'))
    if current and current ~= pending.version then
      outcome = "refused"
      pending.target.version = current
    else
      outcome = "rejected"
    end
  else
    outcome = "error"
  end
  log:write(string.format(
    "done %s %d %d %s %s\n", pending.kind, status, elapsed, outcome, pending.note or pending.path
  ))
  pending = nil
end
