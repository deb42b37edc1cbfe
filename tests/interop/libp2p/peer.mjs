// A long-running js-libp2p 3 node driven by JSON lines on stdin, one JSON reply per line on stdout
// (same "id"); logs go to stderr. The protocol is described in README.md next to this file.
// Options (env or argv): SEED_HEX / --seed-hex=HEX, LISTEN / --listen=MA[,MA…] (default
// /ip4/127.0.0.1/tcp/0), LISTEN6=1 / --listen6 (adds /ip6/::1/tcp/0), STOCK_LIMITS=1 / --stock-limits,
// CONNECTION_MONITOR=1 / --connection-monitor.
import { createInterface } from 'node:readline'
import { performance } from 'node:perf_hooks'
import { multiaddr } from '@multiformats/multiaddr'
import { lpStream } from '@libp2p/utils'
import { ECHO, ECHO_LP, SINK, startNode, log, testBytes, readAll, sendAll, readStream, round } from './lib.mjs'

// A failure inside one test case must not take the node (and every later case) down with it.
process.on('uncaughtException', (err) => log('uncaught exception (kept running):', err?.stack ?? err))
process.on('unhandledRejection', (err) => log('unhandled rejection (kept running):', err?.stack ?? err))

// Identify outcomes per connection: a promise per connection id (for "identify" after our own dial)
// and a log of every outcome (for "identifyLocal", which asks what js learnt from peers that dialed it).
const identifyByConnection = new Map()
const identifyLog = []
const identifyWaiters = new Set()

function identifyEntry (connectionId) {
  let entry = identifyByConnection.get(connectionId)
  if (entry == null) {
    entry = Promise.withResolvers()
    entry.promise.catch(() => {})
    identifyByConnection.set(connectionId, entry)
  }
  return entry
}

let node, stats
try {
  ({ node, stats } = await startNode({
    ...readOptions(),
    onIdentify ({ connection, result, error }) {
      const outcome = {
        peerId: connection.remotePeer.toString(),
        direction: connection.direction,
        remoteAddr: connection.remoteAddr.toString(),
        connectionId: connection.id,
        ok: error == null,
        ...(error == null ? identifyJson(result) : { error: String(error?.message ?? error) })
      }
      identifyLog.push(outcome)
      if (identifyLog.length > 10_000) identifyLog.shift()
      const entry = identifyEntry(connection.id)
      if (error == null) entry.resolve(outcome)
      else entry.reject(error)
      for (const waiter of identifyWaiters) waiter()
    }
  }))
} catch (err) {
  // Startup failed (bad SEED_HEX, address in use, …): say so on stdout and exit non-zero.
  reply({ event: 'error', error: String(err?.message ?? err) })
  log('startup failed:', err?.stack ?? err)
  process.exit(1)
}

reply({ event: 'ready', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(String) })
log(`peer ${node.peerId} listening on ${node.getMultiaddrs().join(' ')}`)

function identifyJson (result) {
  return {
    agentVersion: result.agentVersion ?? null,
    protocolVersion: result.protocolVersion ?? null,
    protocols: result.protocols ?? [],
    listenAddrs: (result.listenAddrs ?? []).map(String),
    observedAddr: result.observedAddr?.toString() ?? null,
    publicKey: result.publicKey != null ? Buffer.from(result.publicKey).toString('hex') : null,
    signedPeerRecord: result.signedPeerRecord != null
      ? { seq: String(result.signedPeerRecord.seq), addresses: result.signedPeerRecord.addresses.map(String) }
      : null
  }
}

function connectionJson (c) {
  return {
    remotePeer: c.remotePeer.toString(),
    remoteAddr: c.remoteAddr.toString(),
    direction: c.direction,
    muxer: c.multiplexer ?? null,
    encryption: c.encryption ?? null,
    status: c.status,
    streams: c.streams.map((s) => ({ id: s.id, protocol: s.protocol, direction: s.direction, status: s.status }))
  }
}

function readOptions () {
  const argv = Object.fromEntries(process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a)
    if (m == null) throw new Error(`unknown argument ${a}`)
    return [m[1], m[2] ?? '1']
  }))
  const flag = (name, env) => (argv[name] ?? process.env[env] ?? '0') === '1'
  const listen = (argv.listen ?? process.env.LISTEN ?? '/ip4/127.0.0.1/tcp/0').split(',').map((s) => s.trim()).filter(Boolean)
  if (flag('listen6', 'LISTEN6')) listen.push('/ip6/::1/tcp/0')
  return {
    seedHex: argv['seed-hex'] ?? process.env.SEED_HEX,
    listen,
    stockLimits: flag('stock-limits', 'STOCK_LIMITS'),
    connectionMonitor: flag('connection-monitor', 'CONNECTION_MONITOR')
  }
}

function reply (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

function need (request, field) {
  if (request[field] == null) throw new Error(`"${field}" is required for ${request.cmd}`)
  return request[field]
}

async function connect (request, signal) {
  return node.dial(multiaddr(need(request, 'addr')), { signal, force: request.fresh === true })
}

/** Opens an echo stream, sends `data` (chunked unless `oneSend`), half-closes, reads everything back. */
async function echoOnce (connection, protocol, data, signal, { oneSend = false } = {}) {
  const stream = await connection.newStream(protocol, { signal })
  try {
    const reading = readAll(stream, signal)
    let sendReturned = null
    if (oneSend) {
      sendReturned = stream.send(data)
      if (!sendReturned) await stream.onDrain({ signal })
    } else {
      await sendAll(stream, data, 64 * 1024, signal)
    }
    await stream.close({ signal })
    const back = await reading
    return { equal: Buffer.compare(Buffer.from(back), Buffer.from(data)) === 0, received: back.byteLength, sendReturned }
  } catch (err) {
    stream.abort(err)
    throw err
  }
}

const commands = {
  async dial (request, signal) {
    const start = performance.now()
    const c = await connect(request, signal)
    return { ...connectionJson(c), ms: round(performance.now() - start) }
  },

  async ping (request, signal) {
    const c = await connect(request, signal)
    const rtt = await node.services.ping.ping(c.remoteAddr, { signal })
    return { rtt, remotePeer: c.remotePeer.toString() }
  },

  // What js learnt from the remote by identify on the connection to `addr` (the run js starts on every new
  // connection; "explicit": true runs another one now).
  async identify (request, signal) {
    const c = await connect(request, signal)
    if (request.explicit === true) {
      const result = await node.services.identify.identify(c, { signal })
      return { remotePeer: c.remotePeer.toString(), ...identifyJson(result) }
    }
    const entry = identifyEntry(c.id)
    const outcome = await Promise.race([entry.promise, abortPromise(signal)])
    return { remotePeer: outcome.peerId, ...withoutBookkeeping(outcome) }
  },

  // What js learnt by identify from peers that dialed it (direction inbound), optionally all, optionally
  // waiting up to timeoutMs for an outcome from `peer`.
  async identifyLocal (request, signal) {
    const matches = () => identifyLog.filter((o) =>
      (request.all === true || o.direction === 'inbound') && (request.peer == null || o.peerId === request.peer))
    if (request.peer != null && matches().length === 0) {
      await new Promise((resolve, reject) => {
        const waiter = () => { if (matches().length > 0) { identifyWaiters.delete(waiter); resolve() } }
        identifyWaiters.add(waiter)
        signal.addEventListener('abort', () => { identifyWaiters.delete(waiter); reject(new Error(`no identify outcome from ${request.peer} yet`)) }, { once: true })
      })
    }
    return { peers: matches() }
  },

  async echo (request, signal) {
    const c = await connect(request, signal)
    const data = testBytes(need(request, 'bytes'), request.seed ?? 0)
    const start = performance.now()
    const r = await echoOnce(c, request.protocol ?? ECHO, data, signal)
    return { equal: r.equal, sent: data.byteLength, received: r.received, ms: round(performance.now() - start) }
  },

  // Length-prefixed echo: sends each message of `sizes` on /echo-lp/1.0.0 and reads it back.
  async echoLp (request, signal) {
    const c = await connect(request, signal)
    const sizes = request.sizes ?? [5, 6, 70_000]
    const stream = await c.newStream(ECHO_LP, { signal })
    try {
      const lps = lpStream(stream, { maxDataLength: 4 * 1024 * 1024 })
      let equal = true
      for (let i = 0; i < sizes.length; i++) {
        const message = testBytes(sizes[i], (request.seed ?? 0) + i)
        await lps.write(message, { signal })
        const back = (await lps.read({ signal })).subarray()
        equal &&= Buffer.compare(Buffer.from(back), Buffer.from(message)) === 0
      }
      await lps.unwrap().close({ signal })
      return { equal, messages: sizes.length }
    } catch (err) {
      stream.abort(err)
      throw err
    }
  },

  // `count` concurrent echo streams of `bytes` bytes each, on one connection.
  async streams (request, signal) {
    const c = await connect(request, signal)
    const count = request.count ?? 100
    const bytes = request.bytes ?? 1024
    const start = performance.now()
    const results = await Promise.allSettled(Array.from({ length: count }, (_, i) =>
      echoOnce(c, request.protocol ?? ECHO, testBytes(bytes, (request.seed ?? 0) + i), signal)))
    const failed = results.filter((r) => r.status === 'rejected')
    const unequal = results.filter((r) => r.status === 'fulfilled' && !r.value.equal).length
    return {
      equal: failed.length === 0 && unequal === 0,
      count,
      succeeded: count - failed.length,
      unequal,
      errors: [...new Set(failed.map((r) => String(r.reason?.message ?? r.reason)))].slice(0, 5),
      ms: round(performance.now() - start)
    }
  },

  // Opens /echo/1.0.0, sends afterBytes bytes, waits (up to waitMs, default 2000) for their echo, then
  // resets the stream (yamux RST); then checks the connection still carries a fresh 1 KiB echo.
  async reset (request, signal) {
    const c = await connect(request, signal)
    const n = request.afterBytes ?? 0
    const stream = await c.newStream(ECHO, { signal })
    let received = 0
    let echoed = () => {}
    const echoedEnough = new Promise((resolve) => { echoed = resolve })
    const reading = readStream(stream, (chunk) => { received += chunk.byteLength; if (received >= n) echoed() }, signal).catch(() => {})
    if (n > 0) {
      await sendAll(stream, testBytes(n, request.seed ?? 0), 64 * 1024, signal)
      await Promise.race([echoedEnough, new Promise((resolve) => setTimeout(resolve, request.waitMs ?? 2000))])
    }
    stream.abort(new Error('reset by test'))
    await reading
    const after = await echoOnce(c, ECHO, testBytes(1024, 7), signal)
    return { sent: n, received, streamStatus: stream.status, connectionStatus: c.status, connectionAlive: after.equal }
  },

  // One send() of `bytes` bytes on /echo/1.0.0: js then writes yamux DATA frames as large as the send
  // window allows (256 KiB - 12 at first), each spanning several Noise frames.
  async largeFrame (request, signal) {
    const c = await connect(request, signal)
    const data = testBytes(request.bytes ?? 256 * 1024, request.seed ?? 0)
    const start = performance.now()
    const r = await echoOnce(c, ECHO, data, signal, { oneSend: true })
    return { equal: r.equal, sent: data.byteLength, received: r.received, sendReturned: r.sendReturned, ms: round(performance.now() - start) }
  },

  // Pushes `bytes` bytes (default 16 MiB) through /sink/1.0.0 and checks the count the remote answers.
  async sink (request, signal) {
    const c = await connect(request, signal)
    const total = request.bytes ?? 16 * 1024 * 1024
    const chunk = testBytes(64 * 1024, request.seed ?? 0)
    const stream = await c.newStream(request.protocol ?? SINK, { signal })
    const start = performance.now()
    const reading = readAll(stream, signal)
    for (let sent = 0; sent < total; sent += chunk.byteLength) {
      if (!stream.send(chunk.subarray(0, Math.min(chunk.byteLength, total - sent)))) await stream.onDrain({ signal })
    }
    await stream.close({ signal })
    const answer = new TextDecoder().decode(await reading)
    const ms = performance.now() - start
    return { sent: total, answer, equal: answer === `${total}\n`, ms: round(ms), mibPerS: round(total / 1048576 / (ms / 1000)) }
  },

  async hangup (request, signal) {
    await node.hangUp(multiaddr(need(request, 'addr')), { signal })
    return {}
  },

  async peers () {
    return { peers: node.getConnections().map(connectionJson) }
  },

  async stats () {
    return { handlers: stats.toJSON(), connections: node.getConnections().length }
  },

  async stop () {
    await node.stop()
    return {}
  }
}

function withoutBookkeeping ({ peerId, direction, remoteAddr, connectionId, ok, ...rest }) {
  return { direction, ...rest }
}

function abortPromise (signal) {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason)
    signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
}

async function run (line) {
  let request
  try {
    request = JSON.parse(line)
  } catch (err) {
    reply({ id: null, ok: false, error: `bad JSON: ${err.message}` })
    return
  }
  const id = request.id ?? null
  const command = commands[request.cmd]
  if (command == null) {
    reply({ id, ok: false, error: `unknown cmd ${JSON.stringify(request.cmd)}` })
    return
  }
  const signal = AbortSignal.timeout(request.timeoutMs ?? 30_000)
  try {
    const result = await command(request, signal)
    reply({ id, ok: true, ...result })
  } catch (err) {
    reply({ id, ok: false, error: String(err?.message ?? err), errorName: err?.name ?? null })
  }
  if (request.cmd === 'stop') process.exit(0)
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue
  run(line) // commands run concurrently; replies carry the request's id
}
// stdin closed: the controlling process is gone or done.
await node.stop().catch(() => {})
process.exit(0)
