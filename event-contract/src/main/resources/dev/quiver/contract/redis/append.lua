-- Appends events to ONE topic and folds them into its state, atomically (docs/redis-layout.md).
--
-- KEYS[1] stream   KEYS[2] state hash   KEYS[3] meta hash   KEYS[4] key index (sorted set)
-- KEYS[5] live channel (a Pub/Sub shard channel, declared here so that it shares the topic's cluster slot)
-- KEYS[6..]        idempotency records, one per event that carries an idempotency key
-- ARGV[1] epoch candidate (kept only if the topic has no epoch yet)
-- ARGV[2] max entries to keep, approximately (0: no count limit)
-- ARGV[3] max age in milliseconds, approximately (0: no age limit); measured on the Redis clock, the clock ids use
-- ARGV[4] idempotency record TTL in milliseconds
-- ARGV[5] number of events n
-- ARGV[6] "1" when the caller sends WAIT after this call: a call that writes nothing (every event a replay) then
--         rewrites the epoch, so that WAIT covers the earlier write it replays (WAIT only counts this connection's
--         writes); else "0"
-- then 6 arguments per event:
--         type, key ("": none), op ("": none), data (JSON text),
--         index into KEYS of its idempotency record (0: none), request fingerprint
--
-- Every event written (not a replayed one) is also published on the live channel, with SPUBLISH (PUBLISH where the
-- server has no sharded Pub/Sub, Redis < 7), as netstrings: "q1", epoch, id, the id of the event before it in the
-- stream ("" for the first), then the stream entry's fields and values in their order (docs/redis-layout.md).
--
-- Returns {"OK", epoch, {id...}, {replayed 0|1...}} or {"CONFLICT", event number (1-based)}.
local stream, state, meta, index, live = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local n = tonumber(ARGV[5])
local PER_EVENT = 6

local function record_of(i)
  local a = 6 + (i - 1) * PER_EVENT
  local slot = tonumber(ARGV[a + 5])
  if slot == 0 then
    return nil, a
  end
  return KEYS[slot], a
end

local function split_record(rec)
  local space = string.find(rec, ' ', 1, true)
  return string.sub(rec, 1, space - 1), string.sub(rec, space + 1)
end

-- First pass, before any write: one conflicting retry rejects the whole call and writes nothing. Two events of
-- this very call with one key and different content conflict too.
local seen = {}
for i = 1, n do
  local key, a = record_of(i)
  if key then
    local rec = redis.call('GET', key)
    if rec then
      local fingerprint = split_record(rec)
      if fingerprint ~= ARGV[a + 6] then
        return {'CONFLICT', i}
      end
    end
    if seen[key] and seen[key] ~= ARGV[a + 6] then
      return {'CONFLICT', i}
    end
    seen[key] = ARGV[a + 6]
  end
end

local epoch = ARGV[1]
if redis.call('HSETNX', meta, 'epoch', epoch) == 0 then
  epoch = redis.call('HGET', meta, 'epoch')
end

local function netstring(s)
  return #s .. ':' .. s .. ','
end

local sharded = true
local function publish(message)
  if sharded then
    local reply = redis.pcall('SPUBLISH', live, message)
    if type(reply) ~= 'table' or not reply.err then
      return
    end
    sharded = false
  end
  redis.call('PUBLISH', live, message)
end

local previous = redis.call('HGET', meta, 'cursor') or ''
local ids, replayed = {}, {}
local last = nil
for i = 1, n do
  local record, a = record_of(i)
  local id = nil
  if record then
    local rec = redis.call('GET', record)
    if rec then
      local _, previous = split_record(rec)
      id = previous
    end
  end
  if id then
    replayed[i] = 1
  else
    replayed[i] = 0
    local type, key, op, data = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
    if key == '' then
      id = redis.call('XADD', stream, '*', 'type', type, 'data', data)
      publish('2:q1,' .. netstring(epoch) .. netstring(id) .. netstring(previous)
        .. '4:type,' .. netstring(type) .. '4:data,' .. netstring(data))
    else
      id = redis.call('XADD', stream, '*', 'type', type, 'key', key, 'op', op, 'data', data)
      publish('2:q1,' .. netstring(epoch) .. netstring(id) .. netstring(previous)
        .. '4:type,' .. netstring(type) .. '3:key,' .. netstring(key) .. '2:op,' .. netstring(op)
        .. '4:data,' .. netstring(data))
      if op == 'delete' then
        redis.call('HDEL', state, key)
        redis.call('ZREM', index, key)
      else
        redis.call('HSET', state, key, id .. ' ' .. data)
        -- Score 0 for all: the index orders keys by their bytes, for paging snapshots by key.
        redis.call('ZADD', index, 0, key)
      end
    end
    if record then
      redis.call('SET', record, ARGV[a + 6] .. ' ' .. id, 'PX', ARGV[4])
    end
    last = id
    previous = id
  end
  ids[i] = id
end

if last then
  redis.call('HSET', meta, 'cursor', last)
  local trimmed = 0
  if tonumber(ARGV[2]) > 0 then
    trimmed = trimmed + redis.call('XTRIM', stream, 'MAXLEN', '~', ARGV[2])
  end
  local max_age = tonumber(ARGV[3])
  if max_age > 0 then
    local now = redis.call('TIME')
    local cutoff = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - max_age
    -- Never past the event just written, whatever the clocks say.
    local last_ms = tonumber(string.sub(last, 1, string.find(last, '-', 1, true) - 1))
    if cutoff > last_ms then
      cutoff = last_ms
    end
    if cutoff > 0 then
      trimmed = trimmed + redis.call('XTRIM', stream, 'MINID', '~', string.format('%.0f', cutoff) .. '-0')
    end
  end
  if trimmed > 0 then
    -- Everything before the first kept entry is gone: cursors older than it can no longer be served.
    local first = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
    if first[1] then
      redis.call('HSET', meta, 'floor', first[1][1])
    else
      redis.call('HSET', meta, 'floor', last)
    end
  end
end

if not last and ARGV[6] == '1' then
  redis.call('HSET', meta, 'epoch', epoch)
end

return {'OK', epoch, ids, replayed}
