-- POST a quote body with a code drawn from the first N bench codes (BENCH000000…).
-- wrk -s apply.lua URL -- <distinct codes>
local distinct = 100

function init(args)
  if args[1] then distinct = tonumber(args[1]) end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
  local code = string.format("BENCH%06d", math.random(0, distinct - 1))
  local body = '{"code":"' .. code .. '","subtotal":"120.00","email":"ann@example.com",'
    .. '"booking_type":"one_time"}'
  return wrk.format(nil, nil, nil, body)
end
