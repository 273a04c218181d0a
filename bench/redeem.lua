-- POST redemptions of one code, each with a distinct booking_ref; counts the answers.
-- wrk -s redeem.lua URL -- <code> <token>
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  code = args[1]
  token = args[2]
  n = 0
  created, replayed, limited, other = 0, 0, 0, 0
  wrk.headers["Authorization"] = "Bearer " .. token
  prefix = string.format("%d-%d-", os.time(), tid)
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
  n = n + 1
  local body = '{"code":"' .. code .. '","subtotal":"120.00","booking_ref":"BK-' .. prefix .. n
    .. '","email":"guest' .. tid .. '-' .. n .. '@example.com"}'
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status == 200 then replayed = replayed + 1
  elseif status == 422 then limited = limited + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local c, r, l, o = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created"); r = r + t:get("replayed")
    l = l + t:get("limited"); o = o + t:get("other")
  end
  io.write(string.format("COUNT created %d\nCOUNT replayed %d\nCOUNT rejected %d\nCOUNT other %d\n",
    c, r, l, o))
end
