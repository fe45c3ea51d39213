-- wrk script: each request posts a fresh comment (a new row), as the post page's form does (an
-- anonymous reader's form has no CSRF token: comments/crossorigin.py). Counts of answers come
-- out in done().
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
  wrk.headers["Sec-Fetch-Site"] = "same-origin"
end

function request()
  counter = counter + 1
  local body = "author_name=Bench+" .. id ..
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
