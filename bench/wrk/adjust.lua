-- POST a sale of one unit on one stock row (BENCH_STOCK_ID): every client
-- fights for the same row lock.
local lib = dofile(os.getenv("BENCH_LUA_DIR") .. "/lib.lua")
local stock_id = os.getenv("BENCH_STOCK_ID")
local body = '{"delta": -1, "reason": "sale", "note": "benchmark"}'

function request()
  return lib.post("/inventory/" .. stock_id .. "/adjust", body)
end
