// js-libp2p throughput and latency benchmark, js↔js or js → any listener (e.g. the C# host).
//   node bench.mjs                       js↔js: starts peer.mjs as the listener in a second process
//   node bench.mjs --target /ip4/…/p2p/… js dials that listener (it must serve /sink/1.0.0, /echo/1.0.0, ping)
// Options: --mib=256 (bytes through /sink), --chunk-kib=256 (size of each send()), --handshakes=200,
// --warmup=5, --seconds=5 (streams/s duration), --concurrency=8, --stream-bytes=1024,
// --tests=sink,handshake,streams, --prefix=js_js (summary key prefix; js_target with --target).
// Prints one JSON line per measurement and a final summary line; logs go to stderr; exit 0 = all checks held.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import os from 'node:os'
import { multiaddr } from '@multiformats/multiaddr'
import { ECHO, SINK, startNode, log, testBytes, readAll, percentile, round } from './lib.mjs'

// "--name=value" or "--name value" (so "--target /ip4/…" works as well as "--target=/ip4/…").
const args = {}
for (let i = 2; i < process.argv.length; i++) {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(process.argv[i])
  if (m == null) throw new Error(`unknown argument ${process.argv[i]}`)
  const next = process.argv[i + 1]
  args[m[1]] = m[2] ?? (next != null && !next.startsWith('--') ? (i++, next) : '1')
}
const number = (name, fallback) => args[name] != null ? Number(args[name]) : fallback
const settings = {
  mib: number('mib', 256),
  chunkKib: number('chunk-kib', 256),
  handshakes: number('handshakes', 200),
  warmup: number('warmup', 5),
  seconds: number('seconds', 5),
  concurrency: number('concurrency', 8),
  streamBytes: number('stream-bytes', 1024),
  tests: (args.tests ?? 'sink,handshake,streams').split(',')
}
const prefix = args.prefix ?? (args.target ? 'js_target' : 'js_js')

function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

/** Starts peer.mjs in its own process (so the two nodes do not share one event loop) and returns its address. */
async function startListener () {
  const here = dirname(fileURLToPath(import.meta.url))
  const child = spawn(process.execPath, [join(here, 'peer.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] })
  const ready = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`listener exited with ${code}`)))
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)))
  })
  return { child, addr: ready.addrs[0] }
}

async function sinkOnce (node, target) {
  const connection = await node.dial(target)
  const total = settings.mib * 1024 * 1024
  const chunk = testBytes(settings.chunkKib * 1024, 1)
  const stream = await connection.newStream(SINK)
  const start = performance.now()
  const reading = readAll(stream)
  for (let sent = 0; sent < total; sent += chunk.byteLength) {
    if (!stream.send(chunk.subarray(0, Math.min(chunk.byteLength, total - sent)))) await stream.onDrain()
  }
  await stream.close()
  const answer = new TextDecoder().decode(await reading)
  const ms = performance.now() - start
  if (answer !== `${total}\n`) throw new Error(`sink answered ${JSON.stringify(answer)}, expected ${total}`)
  const result = { measure: 'sink', bytes: total, chunk_kib: settings.chunkKib, ms: round(ms), mib_s: round(settings.mib / (ms / 1000), 1) }
  emit(result)
  await connection.close()
  return result
}

/** Handshake + 1 RTT as test-plans defines it: fresh TCP+Noise+Yamux connection, then one ping. */
async function handshakes (node, target) {
  const samples = []
  for (let i = 0; i < settings.warmup + settings.handshakes; i++) {
    const start = performance.now()
    const connection = await node.dial(target, { force: true })
    await node.services.ping.ping(connection.remoteAddr)
    const ms = performance.now() - start
    if (i >= settings.warmup) samples.push(ms)
    await connection.close()
  }
  const result = {
    measure: 'handshake_plus_one_rtt',
    n: samples.length,
    p50_ms: round(percentile(samples, 50)),
    p99_ms: round(percentile(samples, 99)),
    mean_ms: round(samples.reduce((a, b) => a + b, 0) / samples.length),
    min_ms: round(Math.min(...samples)),
    max_ms: round(Math.max(...samples))
  }
  emit(result)
  return result
}

/** Streams per second: open /echo/1.0.0, send streamBytes, FIN, read them back, with `concurrency` workers. */
async function streams (node, target) {
  const connection = await node.dial(target)
  const payload = testBytes(settings.streamBytes, 3)
  let completed = 0
  const deadline = performance.now() + settings.seconds * 1000
  const start = performance.now()
  await Promise.all(Array.from({ length: settings.concurrency }, async () => {
    while (performance.now() < deadline) {
      const stream = await connection.newStream(ECHO)
      const reading = readAll(stream)
      stream.send(payload)
      await stream.close()
      const back = await reading
      if (back.byteLength !== payload.byteLength) throw new Error(`echo returned ${back.byteLength} of ${payload.byteLength} bytes`)
      completed++
    }
  }))
  const seconds = (performance.now() - start) / 1000
  const result = { measure: 'streams', stream_bytes: settings.streamBytes, concurrency: settings.concurrency, streams: completed, seconds: round(seconds), streams_per_s: round(completed / seconds, 1) }
  emit(result)
  await connection.close()
  return result
}

let listener = null
let node = null
try {
  const targetText = args.target ?? (listener = await startListener()).addr
  const target = multiaddr(targetText)
  ;({ node } = await startNode({ listen: [] }))
  log(`bench ${prefix}: ${node.peerId} → ${targetText}`)
  emit({ measure: 'setup', target: targetText, node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, ...settings })
  const summary = { target: targetText }
  if (settings.tests.includes('sink')) summary[`${prefix}_mib_s`] = (await sinkOnce(node, target)).mib_s
  if (settings.tests.includes('handshake')) {
    const h = await handshakes(node, target)
    summary[`${prefix}_handshake_ms_p50`] = h.p50_ms
    summary[`${prefix}_handshake_ms_p99`] = h.p99_ms
  }
  if (settings.tests.includes('streams')) summary[`${prefix}_streams_per_s`] = (await streams(node, target)).streams_per_s
  emit(summary)
} catch (err) {
  log('bench failed:', err?.stack ?? err)
  process.exitCode = 1
} finally {
  await node?.stop().catch(() => {})
  if (listener != null) {
    listener.child.stdin.end() // peer.mjs stops when its stdin closes
    await new Promise((resolve) => listener.child.exitCode != null ? resolve() : listener.child.once('exit', resolve))
  }
}
