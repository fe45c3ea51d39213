-- wrk script: each request posts a fresh comment (a new row) with a valid CSRF token.
-- The token and cookie come in through the environment; counts of answers come out in done().
local token = os.getenv("BENCH_CSRF_TOKEN")
local cookie = os.getenv("BENCH_CSRF_COOKIE")
local threads = {}
-- Globals, not locals: wrk reads and writes them per thread with thread:get and thread:set.
id, counter, accepted, refused = 0, 0, 0, 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = "csrftoken=" .. cookie
end

function request()
  counter = counter + 1
  local body = "csrfmiddlewaretoken=" .. token .. "&author_name=Bench+" .. id ..
    "&body=Benchmark+comment+" .. id .. "-" .. counter .. "+on+rituximab+and+B+cells."
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 302 then accepted = accepted + 1 else refused = refused + 1 end
end

function done(summary, latency, requests)
  local a, r = 0, 0
  for _, thread in ipairs(threads) do
    a = a + thread:get("accepted")
    r = r + thread:get("refused")
  end
  io.write(string.format("BENCH accepted=%d refused=%d\n", a, r))
end
