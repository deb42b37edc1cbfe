// An independent Lotus JSON-RPC client (Filecoin Shipyard's lotus-client-rpc, the JS client Lotus users script
// with) calling a node the way a Lotus user would. Usage:
//   node client.mjs URL TOKEN MINER ADDRESS
// URL is the node's http://HOST:PORT/rpc/v1. It calls, over HTTP: ChainHead, StateMinerInfo(MINER, []),
// StateLookupID(ADDRESS, []), WalletBalance(ADDRESS), MpoolPushMessage(a zero-value self-send from ADDRESS, null)
// and StateMinerInfo of a miner that does not exist (an error); then ChainNotify over a websocket (the first
// batch of head changes). It prints one JSON line per call: {"call": NAME, "result": …} or {"call": NAME, "error": MESSAGE}.
import { LotusRPC } from '@filecoin-shipyard/lotus-client-rpc'
import { NodejsProvider } from '@filecoin-shipyard/lotus-client-provider-nodejs'
import { mainnet } from '@filecoin-shipyard/lotus-client-schema'

const [url, token, miner, address] = process.argv.slice(2)
if (!url || !miner || !address) {
  console.error('usage: node client.mjs URL TOKEN MINER ADDRESS')
  process.exit(2)
}

const schema = mainnet.fullNode
const print = (call, outcome) => console.log(JSON.stringify({ call, ...outcome }))

async function run (call, fn) {
  try {
    print(call, { result: await fn() })
  } catch (e) {
    print(call, { error: e.message })
  }
}

const http = new LotusRPC(new NodejsProvider(url, { token }), { schema })
await run('ChainHead', () => http.chainHead())
await run('StateMinerInfo', () => http.stateMinerInfo(miner, []))
await run('StateLookupID', () => http.stateLookupID(address, []))
await run('WalletBalance', () => http.walletBalance(address))
await run('MpoolPushMessage', () => http.mpoolPushMessage({
  To: address,
  From: address,
  Value: '0',
  Method: 0,
  Params: null
}, null))
await run('StateMinerInfoUnknown', () => http.stateMinerInfo('t099999', []))

// Lotus streams head changes only over websockets, with go-jsonrpc's channel protocol.
const ws = new LotusRPC(new NodejsProvider(url.replace(/^http/, 'ws'), { token }), { schema })
await run('ChainNotify', () => new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no head change within 20 s')), 20000)
  const [cancel, subscribed] = ws.chainNotify(changes => {
    clearTimeout(timer)
    cancel().then(() => resolve(changes), reject)
  })
  subscribed.catch(e => { clearTimeout(timer); reject(e) })
}))
await ws.destroy()
