-- wrk script: each request posts a fresh comment, as the post page's form does (an anonymous
-- reader's form has no CSRF token: comments/crossorigin.py), that the blog's policy publishes:
-- on the post's subject, in its words, from an address of its own (as many readers write, each
-- from their own; one address posting hundreds a minute is a flood the spam checks stop), and
-- each text different (the same text twice is a duplicate they hold). Counts of answers come
-- out in done().
local threads = {}
-- Globals, not locals: wrk reads and writes them per thread with thread:get and thread:set.
id, counter, accepted, refused = 0, 0, 0, 0

local subjects = {
  "B cell depletion", "the second infusion", "the relapse after the first infusion",
  "antiretroviral therapy", "Rituximab for ME/CFS", "the memory cells", "XMRV in B cells",
  "the Norwegian study",
}
local effects = {
  "the marked improvement", "the relapse", "the recovery of symptoms",
  "the lymphocytes replaced", "the risk of infusions", "the cost of each treatment",
}

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
  -- The proxy's header, which the blog trusts from loopback (TRUSTED_PROXIES): 10.<thread>.x.y.
  wrk.headers["X-Forwarded-For"] = "10." .. id .. "." .. (math.floor(counter / 256) % 256) ..
    "." .. (counter % 256)
  local text = "Reader " .. id .. "-" .. counter .. " wonders whether " ..
    subjects[counter % #subjects + 1] .. " explains " ..
    effects[math.floor(counter / #subjects) % #effects + 1] ..
    " in the patients of the study, and what a third infusion would show."
  local body = "author_name=Reader+" .. id .. "-" .. counter .. "&body=" ..
    text:gsub(" ", "+"):gsub("/", "%%2F")
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
