-- Presence of one topic (docs/presence.md, docs/redis-layout.md): which subjects have connections in it, on which
-- pods. A pod writes only what changed (joins and leaves since its last call) and renews one lease per topic, so its
-- work is per refresh interval per topic, never per connection. A pod whose lease ended (it died without cleaning up)
-- is let go by whoever calls next, with its members.
--
-- KEYS: pods (sorted set: pod -> lease end, ms), entries (sorted set, scores 0: "<pod>|<sub>"), refs (hash: sub ->
--       pods holding it), members (hash: sub -> member JSON), index (sorted set, scores 0: sub), anonymous (hash:
--       pod -> connections without a subject), live channel (the topic's shard channel, declared so that it shares
--       the topic's slot)
-- ARGV[1] mode:
--   "update": ARGV[2] pod, ARGV[3] lease in ms, ARGV[4] the pod's anonymous connections ("" unchanged), ARGV[5] "1"
--             when the pod holds nothing here any more (its lease is dropped), ARGV[6] number of joins n, then n pairs
--             (sub, info JSON or ""), then the subjects that left
--   "page":   ARGV[2] list after this subject ("" from the start), ARGV[3] most members to return
--   "count":  nothing more
-- Every mode first lets go of (at most 32) pods whose lease ended, with their members.
--
-- A join that makes a subject a member, and a leave that ends it, are published on the live channel, SPUBLISH
-- (PUBLISH on Redis < 7), as netstrings: "p1", then per change "j" or "l" and the member's JSON.
--
-- Returns: update {1 when the pod's lease was missing (it was let go, or never had one), changes published};
--          page {members, anonymous connections, {member JSON...}, 1 when more follow}; count {members, anonymous}.
local pods, entries, refs, members, index, anonymous, live = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local mode = ARGV[1]

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

-- ISO 8601 in UTC from epoch milliseconds (days to civil date: H. Hinnant's algorithm).
local function iso(ms)
  local s = math.floor(ms / 1000)
  local days = math.floor(s / 86400)
  local secs = s - days * 86400
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400 + (m <= 2 and 1 or 0)
  return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', y, m, d, math.floor(secs / 3600),
    math.floor(secs % 3600 / 60), secs % 60, ms % 1000)
end

local changes = {}
local function netstring(s)
  return #s .. ':' .. s .. ','
end

local function acquire(sub, info)
  if redis.call('HINCRBY', refs, sub, 1) == 1 then
    local member = '{"sub":' .. cjson.encode(sub)
    if info ~= '' then
      member = member .. ',"info":' .. info
    end
    member = member .. ',"since":"' .. iso(now) .. '"}'
    redis.call('HSET', members, sub, member)
    redis.call('ZADD', index, 0, sub)
    changes[#changes + 1] = netstring('j') .. netstring(member)
  end
end

local function release(sub)
  if redis.call('HINCRBY', refs, sub, -1) <= 0 then
    redis.call('HDEL', refs, sub)
    redis.call('HDEL', members, sub)
    redis.call('ZREM', index, sub)
    changes[#changes + 1] = netstring('l') .. netstring('{"sub":' .. cjson.encode(sub) .. '}')
  end
end

-- Pods ids never contain '|', and '}' follows '|': "[pod|" .. "(pod}" is exactly that pod's entries.
local function drop_entries(pod)
  local held = redis.call('ZRANGEBYLEX', entries, '[' .. pod .. '|', '(' .. pod .. '}')
  for _, entry in ipairs(held) do
    redis.call('ZREM', entries, entry)
    release(string.sub(entry, #pod + 2))
  end
end

local dead = redis.call('ZRANGEBYSCORE', pods, '-inf', '(' .. now, 'LIMIT', 0, 32)
for _, pod in ipairs(dead) do
  drop_entries(pod)
  redis.call('ZREM', pods, pod)
  redis.call('HDEL', anonymous, pod)
end

local result
if mode == 'update' then
  local pod, lease = ARGV[2], tonumber(ARGV[3])
  local missing = 0
  if ARGV[5] == '1' then
    drop_entries(pod)
    redis.call('ZREM', pods, pod)
    redis.call('HDEL', anonymous, pod)
  else
    missing = redis.call('ZADD', pods, now + lease, pod)
    if ARGV[4] ~= '' then
      if ARGV[4] == '0' then
        redis.call('HDEL', anonymous, pod)
      else
        redis.call('HSET', anonymous, pod, ARGV[4])
      end
    end
    local joins = tonumber(ARGV[6])
    local at = 7
    for _ = 1, joins do
      local sub, info = ARGV[at], ARGV[at + 1]
      at = at + 2
      if redis.call('ZADD', entries, 0, pod .. '|' .. sub) == 1 then
        acquire(sub, info)
      end
    end
    for i = at, #ARGV do
      if redis.call('ZREM', entries, pod .. '|' .. ARGV[i]) == 1 then
        release(ARGV[i])
      end
    end
  end
  -- Keys of a topic every pod left behind go on their own; a living pod renews them with its lease.
  for i = 1, 6 do
    redis.call('PEXPIRE', KEYS[i], lease * 3)
  end
  result = {missing, #changes}
end

if #changes > 0 then
  local message = netstring('p1') .. table.concat(changes)
  local reply = redis.pcall('SPUBLISH', live, message)
  if type(reply) == 'table' and reply.err then
    redis.call('PUBLISH', live, message)
  end
end

if mode == 'update' then
  return result
end

local anon = 0
for _, n in ipairs(redis.call('HVALS', anonymous)) do
  anon = anon + tonumber(n)
end
local count = redis.call('ZCARD', index)
if mode == 'count' then
  return {count, anon}
end
local limit = tonumber(ARGV[3])
local after = ARGV[2] == '' and '-' or '(' .. ARGV[2]
local subs = redis.call('ZRANGEBYLEX', index, after, '+', 'LIMIT', 0, limit + 1)
local more = 0
if #subs > limit then
  more = 1
  subs[#subs] = nil
end
local page = {}
if #subs > 0 then
  page = redis.call('HMGET', members, unpack(subs))
end
return {count, anon, page, more}
