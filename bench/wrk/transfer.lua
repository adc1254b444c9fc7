-- POST a transfer of one unit of BENCH_PRODUCT_ID between the warehouses
-- BENCH_WAREHOUSE_A and BENCH_WAREHOUSE_B, in a random direction each time,
-- so both rows are locked by transfers going both ways.
local lib = dofile(os.getenv("BENCH_LUA_DIR") .. "/lib.lua")
local product_id = os.getenv("BENCH_PRODUCT_ID")
local warehouse_a = os.getenv("BENCH_WAREHOUSE_A")
local warehouse_b = os.getenv("BENCH_WAREHOUSE_B")
local template = '{"product_id": %s, "from_warehouse": "%s", '
  .. '"to_warehouse": "%s", "quantity": 1}'

function request()
  local body
  if math.random() < 0.5 then
    body = string.format(template, product_id, warehouse_a, warehouse_b)
  else
    body = string.format(template, product_id, warehouse_b, warehouse_a)
  end
  return lib.post("/inventory/transfer", body)
end
