-- One entity, read atomically with the cursor it reflects. Read-only.
-- KEYS[1] meta hash   KEYS[2] state hash   ARGV[1] entity key
-- Returns {epoch|nil, cursor|nil, value|nil}.
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'cursor')
return {meta[1], meta[2], redis.call('HGET', KEYS[2], ARGV[1])}
