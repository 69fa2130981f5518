-- wrk script: POST /api/v1/contact, a new contact every request (a unique e-mail per thread
-- and request), so each one is a durable create.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  thread_id = id
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("LEDGER_BENCH_KEY")
end

function request()
  counter = counter + 1
  local body = string.format('{"firstName":"Bench","lastName":"Upsert","channels":[{"type":"email","value":"bench-%s-%d-%d@example.com"}]}',
    os.getenv("LEDGER_BENCH_RUN") or "0", thread_id, counter)
  return wrk.format(nil, "/api/v1/contact", nil, body)
end
