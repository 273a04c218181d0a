-- POST a quote body with a code drawn from the first N bench codes (BENCH000000…).
-- wrk -s apply.lua URL -- <distinct codes> [lines] [locale]
-- With lines > 0 the booking is sent as that many line items (120.00 in all) instead of
-- a bare subtotal.
local distinct = 100
local lines = 0
local locale = ""
local services = {"deep", "windows", "oven", "carpet", "laundry", "standard", "extra", "more"}

function init(args)
  if args[1] then distinct = tonumber(args[1]) end
  if args[2] then lines = tonumber(args[2]) end
  if args[3] then locale = args[3] end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local function items()
  local parts = {}
  local each = math.floor(12000 / lines)
  local first = 12000 - each * (lines - 1)
  for i = 1, lines do
    local cents = (i == 1) and first or each
    parts[#parts + 1] = string.format(
      '{"service":"%s","staff":"maria","location":"north","quantity":1,"unit_price":"%d.%02d"}',
      services[i], math.floor(cents / 100), cents % 100)
  end
  return "[" .. table.concat(parts, ",") .. "]"
end

function request()
  local code = string.format("BENCH%06d", math.random(0, distinct - 1))
  local booking = lines > 0 and ('"items":' .. items()) or '"subtotal":"120.00"'
  local body = '{"code":"' .. code .. '",' .. booking .. ',"email":"ann@example.com",'
    .. '"booking_type":"one_time"' .. (locale ~= "" and (',"locale":"' .. locale .. '"') or "")
    .. '}'
  return wrk.format(nil, nil, nil, body)
end
