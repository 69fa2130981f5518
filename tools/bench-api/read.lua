-- wrk script: GET /api/v1/contacts/{key}, over the contacts the bulk runs made.
local counter = 0

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("LEDGER_BENCH_KEY")
end

function request()
  counter = counter + 1
  return wrk.format("GET", string.format("/api/v1/contacts/%%23%d", (counter % 3000) + 1))
end
