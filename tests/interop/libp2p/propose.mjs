// A storage client made of independent parts: js-libp2p 3 dials the provider, the deal proposal and DealParams are
// built and encoded by ../markets/markets-cbor.mjs (cborg, the documented key order), and the proposal and the status
// request are signed here with @noble/curves secp256k1 over @noble/hashes BLAKE2b-256, as Lotus signs.
//
// One JSON argument (or $PROPOSE_JSON):
//   {"addr":"/ip4/…/p2p/…","clientKey":"<32-byte hex>","provider":"<address bytes hex>","uuid":"<16-byte hex>",
//    "pieceCid":"<CID bytes hex>","pieceSize":2048,"root":"<CID bytes hex>","label":"…","start":N,"end":N,"price":"…",
//    "providerCollateral":"0","clientCollateral":"0","transfer":{"type":"http","clientId":"","params":"<hex>","size":N},
//    "protocols":["/fil/storage/mk/1.2.1","/fil/storage/mk/1.2.0"]}
// It proposes the deal, then asks its status, and prints one JSON line:
//   {"protocol":…,"client":"<address hex>","proposalCbor":"<hex>","response":{"Accepted":…,"Message":…},"status":{…}}
import { multiaddr } from '@multiformats/multiaddr'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { blake2b } from '@noble/hashes/blake2.js'
import { startNode, readAll, sendAll } from './lib.mjs'
import { encode, decode, encodeMessage, dealProposal, Tagged } from '../markets/markets-cbor.mjs'

const MK = ['/fil/storage/mk/1.2.1', '/fil/storage/mk/1.2.0']
const STATUS = '/fil/storage/status/1.2.0'

const hex = (h) => Uint8Array.from(Buffer.from(h, 'hex'))
const toHex = (b) => Buffer.from(b).toString('hex')

/** Filecoin's secp256k1 signature: r ‖ s ‖ recovery id over BLAKE2b-256 of the message, with its type byte 1 first. */
function sign (key, message) {
  const digest = blake2b(message, { dkLen: 32 })
  const recovered = secp256k1.sign(digest, key, { prehash: false, format: 'recovered', lowS: true })
  return Uint8Array.of(1, ...recovered.subarray(1, 65), recovered[0])
}

/** Sends one CBOR object on a new stream and reads the provider's one object back (it closes after answering). */
async function rpc (node, addr, protocols, request) {
  const stream = await node.dialProtocol(addr, protocols)
  await sendAll(stream, request)
  const response = await readAll(stream, AbortSignal.timeout(60_000))
  await stream.close().catch(() => {})
  return { protocol: stream.protocol, value: decode(response, { useMaps: false, tags: Object.assign([], { 42: Tagged.decoder(42) }) }) }
}

const input = JSON.parse(process.argv[2] ?? process.env.PROPOSE_JSON)
const key = hex(input.clientKey)
const client = Uint8Array.of(1, ...blake2b(secp256k1.getPublicKey(key, false), { dkLen: 20 }))
const proposal = {
  pieceCid: input.pieceCid, pieceSize: input.pieceSize, verified: false, client: toHex(client), provider: input.provider,
  label: input.label, start: input.start, end: input.end, price: input.price,
  providerCollateral: input.providerCollateral ?? '0', clientCollateral: input.clientCollateral ?? '0'
}
const proposalCbor = encode(dealProposal(proposal))
const params = encodeMessage('DealParams', {
  uuid: input.uuid, isOffline: false, proposal, signature: toHex(sign(key, proposalCbor)), root: input.root,
  transfer: input.transfer, skipIpni: false, removeUnsealed: false
})

const { node } = await startNode()
try {
  const addr = multiaddr(input.addr)
  const deal = await rpc(node, addr, input.protocols ?? MK, params)
  const statusRequest = encodeMessage('DealStatusRequest', { uuid: input.uuid, signature: toHex(sign(key, hex(input.uuid))) })
  const status = await rpc(node, addr, [STATUS], statusRequest)
  const s = status.value
  process.stdout.write(JSON.stringify({
    protocol: deal.protocol,
    client: toHex(client),
    proposalCbor: toHex(proposalCbor),
    response: deal.value,
    status: { Error: s.Error, DealUUID: toHex(s.DealUUID), Status: s.DealStatus?.Status ?? null, SignedProposalCid: s.DealStatus ? toHex(s.DealStatus.SignedProposalCid.value.subarray(1)) : null }
  }) + '\n')
} finally {
  await node.stop()
}
