-- POST a new product with a SKU unique to this wrk process, thread and
-- request, so the duplicate-SKU check runs and never refuses.
local lib = dofile(os.getenv("BENCH_LUA_DIR") .. "/lib.lua")
local run = os.getenv("BENCH_RUN") or "run"
local sequence = 0
local instance = nil

function request()
  if instance == nil then
    -- Drawn after init() seeded this thread's generator.
    instance = math.random(1, 2000000000)
  end
  sequence = sequence + 1
  local sku = string.format("B-%s-%d-%d", run, instance, sequence)
  local body = string.format(
    '{"sku": "%s", "name": "Benchmark item %s", "price": 12.5, '
      .. '"category": "bench", "description": "Created by the benchmark."}',
    sku,
    sku
  )
  return lib.post("/products", body)
end
