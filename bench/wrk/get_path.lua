-- GET one fixed path (BENCH_PATH) with an optional query (BENCH_QUERY): the
-- product lists, /api/products-full and the framework floor.
local lib = dofile(os.getenv("BENCH_LUA_DIR") .. "/lib.lua")
local path = os.getenv("BENCH_PATH") or "/"
local query = os.getenv("BENCH_QUERY") or ""

function request()
  return lib.get(path, query)
end
