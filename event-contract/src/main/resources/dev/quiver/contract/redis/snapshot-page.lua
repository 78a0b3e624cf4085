-- One page of a topic's state, read atomically with the cursor it reflects (docs/snapshot.md). Read-only.
--
-- KEYS[1] meta hash   KEYS[2] key index (sorted set)   KEYS[3] state hash
-- ARGV[1] the last key of the previous page ("": start at the first key)   ARGV[2] page size
--
-- Returns {epoch|nil, cursor|nil, more (0|1), key1, value1, key2, value2, ...} with keys in byte order.
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'cursor')
local from = '-'
if ARGV[1] ~= '' then
  from = '(' .. ARGV[1]
end
local limit = tonumber(ARGV[2])
local keys = redis.call('ZRANGEBYLEX', KEYS[2], from, '+', 'LIMIT', 0, limit + 1)
local more = 0
if #keys > limit then
  more = 1
  keys[#keys] = nil
end
local out = {meta[1], meta[2], more}
if #keys > 0 then
  local values = redis.call('HMGET', KEYS[3], unpack(keys))
  for i = 1, #keys do
    out[#out + 1] = keys[i]
    out[#out + 1] = values[i]
  end
end
return out
