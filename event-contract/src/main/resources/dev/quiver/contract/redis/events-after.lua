-- History after a position, read atomically with the facts that decide whether the position is still served:
-- checking retention and reading in two calls could let a trim slip in between and leave a silent gap. Read-only.
-- KEYS[1] meta hash   KEYS[2] stream   ARGV[1] exclusive start id   ARGV[2] count
-- Returns {epoch|nil, cursor|nil, floor|nil, entries}.
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'cursor', 'floor')
local entries = redis.call('XRANGE', KEYS[2], '(' .. ARGV[1], '+', 'COUNT', tonumber(ARGV[2]))
return {meta[1], meta[2], meta[3], entries}
