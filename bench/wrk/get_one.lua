-- GET one product by a random id between BENCH_ID_MIN and BENCH_ID_MAX.
local lib = dofile(os.getenv("BENCH_LUA_DIR") .. "/lib.lua")
local id_min = lib.getenv_number("BENCH_ID_MIN", 1)
local id_max = lib.getenv_number("BENCH_ID_MAX", 1000)

function request()
  return lib.get("/products/" .. math.random(id_min, id_max))
end
