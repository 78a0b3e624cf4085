-- Appends events to one or more topics and folds them into their state; each topic's part is atomic and every
-- topic is written independently of the others (docs/redis-layout.md). On Redis Cluster all topics of one call share
-- a hash slot (the caller groups them); elsewhere one call may carry any topics, so a batch costs one round trip.
--
-- ARGV[1] epoch candidate (kept only by a topic that has no epoch yet)
-- ARGV[2] idempotency record TTL in milliseconds
-- ARGV[3] "1" when the caller sends WAIT after this call: a topic whose events are all replays then rewrites its
--         epoch, so that WAIT covers the earlier write it replays (WAIT only counts this connection's writes); else "0"
-- ARGV[4] number of topics
-- then, per topic, 4 arguments:
--         number of events n, max entries to keep approximately (0: no count limit), max age in milliseconds
--         approximately (0: no age limit; measured on the clock the ids use), number of idempotency records m
--   followed by 7 arguments per event:
--         type, key ("": none), op ("": none), data (JSON text),
--         index into KEYS of its idempotency record (0: none), request fingerprint,
--         W3C traceparent of the publish ("": none; stored as the entry's last field)
-- KEYS, per topic in the same order: stream, state hash, meta hash, key index (sorted set), live channel (a Pub/Sub
--         shard channel, declared so that it shares the topic's slot), then its m idempotency records
--
-- Every event written (not a replayed one) is also published on its topic's live channel, with SPUBLISH (PUBLISH
-- where the server has no sharded Pub/Sub, Redis < 7), as netstrings: "q1", epoch, id, the id of the event before it
-- in the stream ("" for the first), then the stream entry's fields and values in their order.
--
-- Trimming is amortised: a topic is trimmed once per max(1, min(64, max-len / 100)) appends and once its newest id is
-- min(1000, max-age / 100) ms past the last trim, so history overshoots its limits by at most ~1 % (plus the whole
-- 100-entry nodes approximate trimming keeps), never by an unbounded amount. Meta keeps the count in `untrimmed`
-- and the time in `trimmed_at`.
--
-- Returns, per topic in order, {"OK", epoch, {id...}, {replayed 0|1...}} or {"CONFLICT", event number (1-based)}.
local ttl = ARGV[2]
local then_wait = ARGV[3] == '1'
local PER_EVENT = 7

local function split_record(rec)
  local space = string.find(rec, ' ', 1, true)
  return string.sub(rec, 1, space - 1), string.sub(rec, space + 1)
end

-- Lua turns numbers into text with sprintf, the costliest step of building a message: each length is turned once.
local texts = {}
local function text_of(n)
  local t = texts[n]
  if not t then
    t = tostring(n)
    texts[n] = t
  end
  return t
end

local function netstring(s)
  return text_of(#s) .. ':' .. s .. ','
end

local sharded = true
local function publish(live, message)
  if sharded then
    local reply = redis.pcall('SPUBLISH', live, message)
    if type(reply) ~= 'table' or not reply.err then
      return
    end
    sharded = false
  end
  redis.call('PUBLISH', live, message)
end

local function ms_of(id)
  return tonumber(string.sub(id, 1, string.find(id, '-', 1, true) - 1))
end

-- First pass over one topic, before any write: one conflicting retry rejects the topic's part and writes nothing
-- of it. Two events of this very call with one key and different content conflict too.
local function conflict(n, first)
  local seen = {}
  for i = 1, n do
    local a = first + (i - 1) * PER_EVENT
    if ARGV[a + 4] ~= '0' then
      local key = KEYS[tonumber(ARGV[a + 4])]
      local rec = redis.call('GET', key)
      if rec then
        local fingerprint = split_record(rec)
        if fingerprint ~= ARGV[a + 5] then
          return i
        end
      end
      if seen[key] and seen[key] ~= ARGV[a + 5] then
        return i
      end
      seen[key] = ARGV[a + 5]
    end
  end
  return nil
end

local function trim(stream, max_len, max_age, last)
  local trimmed = 0
  if max_len > 0 then
    trimmed = trimmed + redis.call('XTRIM', stream, 'MAXLEN', '~', text_of(max_len))
  end
  if max_age > 0 then
    -- The newest id carries the Redis clock (never behind the previous id): nothing it just wrote goes.
    local cutoff = ms_of(last) - max_age
    if cutoff > 0 then
      trimmed = trimmed + redis.call('XTRIM', stream, 'MINID', '~', string.format('%.0f', cutoff) .. '-0')
    end
  end
  return trimmed
end

local function append_topic(k, first, n, max_len, max_age)
  local stream, state, meta, index, live = KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4]
  local bad = conflict(n, first)
  if bad then
    return {'CONFLICT', bad}
  end
  local facts = redis.call('HMGET', meta, 'epoch', 'cursor', 'untrimmed', 'trimmed_at')
  local epoch = facts[1]
  local fresh_epoch = not epoch
  if fresh_epoch then
    epoch = ARGV[1]
  end
  local previous = facts[2] or ''
  local ids, replayed = {}, {}
  local last = nil
  local written = 0
  for i = 1, n do
    local a = first + (i - 1) * PER_EVENT
    local record = ARGV[a + 4] ~= '0' and KEYS[tonumber(ARGV[a + 4])] or nil
    local id = nil
    if record then
      local rec = redis.call('GET', record)
      if rec then
        local _, earlier = split_record(rec)
        id = earlier
      end
    end
    if id then
      replayed[i] = 1
    else
      replayed[i] = 0
      local type, key, op, data, tp = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 6]
      -- The publish's traceparent, when it has one, is the entry's last field (and the message's last pair).
      local traced = ''
      if key == '' then
        if tp == '' then
          id = redis.call('XADD', stream, '*', 'type', type, 'data', data)
        else
          id = redis.call('XADD', stream, '*', 'type', type, 'data', data, 'traceparent', tp)
          traced = '11:traceparent,' .. netstring(tp)
        end
        publish(live, '2:q1,' .. netstring(epoch) .. netstring(id) .. netstring(previous)
          .. '4:type,' .. netstring(type) .. '4:data,' .. netstring(data) .. traced)
      else
        if tp == '' then
          id = redis.call('XADD', stream, '*', 'type', type, 'key', key, 'op', op, 'data', data)
        else
          id = redis.call('XADD', stream, '*', 'type', type, 'key', key, 'op', op, 'data', data, 'traceparent', tp)
          traced = '11:traceparent,' .. netstring(tp)
        end
        publish(live, '2:q1,' .. netstring(epoch) .. netstring(id) .. netstring(previous)
          .. '4:type,' .. netstring(type) .. '3:key,' .. netstring(key) .. '2:op,' .. netstring(op)
          .. '4:data,' .. netstring(data) .. traced)
        if op == 'delete' then
          redis.call('HDEL', state, key)
          redis.call('ZREM', index, key)
        elseif redis.call('HSET', state, key, id .. ' ' .. data) == 1 then
          -- A key new to the state is new to the index (this script keeps both); score 0 for all: the index
          -- orders keys by their bytes, for paging snapshots by key.
          redis.call('ZADD', index, 0, key)
        end
      end
      if record then
        redis.call('SET', record, ARGV[a + 5] .. ' ' .. id, 'PX', ttl)
      end
      last = id
      previous = id
      written = written + 1
    end
    ids[i] = id
  end

  if last then
    local untrimmed = (tonumber(facts[3]) or 0) + written
    local trimmed_at = facts[4] or '0'
    local last_ms = ms_of(last)
    local due = false
    if max_len > 0 and untrimmed >= math.max(1, math.min(64, math.floor(max_len / 100))) then
      due = true
    end
    if max_age > 0 and last_ms - tonumber(trimmed_at) >= math.min(1000, math.floor(max_age / 100)) then
      due = true
    end
    local floor = nil
    if due then
      untrimmed, trimmed_at = 0, string.sub(last, 1, string.find(last, '-', 1, true) - 1)
      if trim(stream, max_len, max_age, last) > 0 then
        -- Everything before the first kept entry is gone: cursors older than it can no longer be served.
        local kept = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
        floor = kept[1] and kept[1][1] or last
      end
    end
    local fields = {'cursor', last, 'untrimmed', text_of(untrimmed), 'trimmed_at', trimmed_at}
    if fresh_epoch then
      fields[#fields + 1] = 'epoch'
      fields[#fields + 1] = epoch
    end
    if floor then
      fields[#fields + 1] = 'floor'
      fields[#fields + 1] = floor
    end
    redis.call('HSET', meta, unpack(fields))
  elseif fresh_epoch or then_wait then
    redis.call('HSET', meta, 'epoch', epoch)
  end
  return {'OK', epoch, ids, replayed}
end

local results = {}
local a = 5
local k = 1
for t = 1, tonumber(ARGV[4]) do
  local n, max_len, max_age, m = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  results[t] = append_topic(k, a + 4, n, max_len, max_age)
  a = a + 4 + n * PER_EVENT
  k = k + 5 + m
end
return results
