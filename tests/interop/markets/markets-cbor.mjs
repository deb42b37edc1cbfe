// An independent encoder of Boost's markets messages (reference/filecoin.md §2.3–2.7), written from the documented
// field lists: every map is built with its keys in the documented wire order and encoded by cborg with map sorting
// turned off, so the bytes follow the documentation rather than any sorting rule. Nested DealProposal /
// ClientDealProposal are the market actor's tuples; CIDs are tag 42 over 0x00 ‖ CID bytes; big integers are the
// sign byte and big-endian magnitude (empty for zero); UUIDs, addresses and signatures are byte strings.
//
// Values come as JSON: byte fields as hex strings, big integers as decimal strings, 64-bit integers as numbers or
// decimal strings. cborg is the copy installed for the libp2p interop tests (../libp2p/node_modules).
import { encode, decode, Tagged } from '../libp2p/node_modules/cborg/cborg.js'

export { encode, decode, Tagged }

const hex = (h) => Uint8Array.from(Buffer.from(h ?? '', 'hex'))
const int = (x) => typeof x === 'string' ? BigInt(x) : x
const cid = (h) => new Tagged(42, Uint8Array.of(0, ...hex(h)))
const nullableCid = (h) => h == null ? null : cid(h)

/** A big integer (attoFIL) as Filecoin writes it: empty for 0, else sign byte and big-endian magnitude. */
export function big (decimal) {
  let v = BigInt(decimal)
  if (v === 0n) return new Uint8Array(0)
  const negative = v < 0n
  if (negative) v = -v
  let h = v.toString(16)
  if (h.length % 2) h = '0' + h
  return Uint8Array.of(negative ? 1 : 0, ...hex(h))
}

/** The market actor's DealProposal 11-tuple. */
export function dealProposal (p) {
  return [cid(p.pieceCid), int(p.pieceSize), p.verified, hex(p.client), hex(p.provider), p.label, int(p.start), int(p.end),
    big(p.price), big(p.providerCollateral), big(p.clientCollateral)]
}

const map = (entries) => new Map(entries)

// Wire key orders as documented (the brackets of §2.4, §2.5, §2.6, §2.7).
export const builders = {
  Transfer: (v) => map([['Size', int(v.size)], ['Type', v.type], ['Params', hex(v.params)], ['ClientID', v.clientId]]),
  DealParams: (v) => map([
    ['DealUUID', hex(v.uuid)],
    ['Transfer', builders.Transfer(v.transfer)],
    ['IsOffline', v.isOffline],
    ['DealDataRoot', cid(v.root)],
    ['SkipIPNIAnnounce', v.skipIpni],
    ['ClientDealProposal', [dealProposal(v.proposal), hex(v.signature)]],
    ['RemoveUnsealedCopy', v.removeUnsealed]
  ]),
  // mk/1.2.0's DealParamsV120: the same without the two 1.2.1 fields.
  DealParamsV120: (v) => map([
    ['DealUUID', hex(v.uuid)],
    ['Transfer', builders.Transfer(v.transfer)],
    ['IsOffline', v.isOffline],
    ['DealDataRoot', cid(v.root)],
    ['ClientDealProposal', [dealProposal(v.proposal), hex(v.signature)]]
  ]),
  DealResponse: (v) => map([['Message', v.message], ['Accepted', v.accepted]]),
  DealStatusRequest: (v) => map([['DealUUID', hex(v.uuid)], ['Signature', hex(v.signature)]]),
  DealStatus: (v) => map([
    ['Error', v.error],
    ['Status', v.status],
    ['Proposal', dealProposal(v.proposal)],
    ['PublishCid', nullableCid(v.publishCid)],
    ['ChainDealID', int(v.chainDealId)],
    ['SealingStatus', v.sealingStatus],
    ['SignedProposalCid', cid(v.signedProposalCid)]
  ]),
  DealStatusResponse: (v) => map([
    ['Error', v.error],
    ['DealUUID', hex(v.uuid)],
    ['IsOffline', v.isOffline],
    ['DealStatus', v.dealStatus == null ? null : builders.DealStatus(v.dealStatus)],
    ['TransferSize', int(v.transferSize)],
    ['NBytesReceived', int(v.nBytesReceived)]
  ]),
  StorageAsk: (v) => map([
    ['Miner', hex(v.miner)],
    ['Price', big(v.price)],
    ['SeqNo', int(v.seqNo)],
    ['Expiry', int(v.expiry)],
    ['Timestamp', int(v.timestamp)],
    ['MaxPieceSize', int(v.maxPieceSize)],
    ['MinPieceSize', int(v.minPieceSize)],
    ['VerifiedPrice', big(v.verifiedPrice)]
  ]),
  SignedStorageAsk: (v) => map([['Ask', v.ask == null ? null : builders.StorageAsk(v.ask)], ['Signature', v.signature == null ? null : hex(v.signature)]]),
  AskRequest: (v) => map([['Miner', hex(v.miner)]]),
  AskResponse: (v) => map([['Ask', v.ask == null ? null : builders.SignedStorageAsk(v.ask)]]),
  Query: (v) => map([['PayloadCID', cid(v.payloadCid)], ['QueryParams', map([['PieceCID', nullableCid(v.pieceCid)]])]]),
  QueryResponse: (v) => map([
    ['Size', int(v.size)],
    ['Status', int(v.status)],
    ['Message', v.message],
    ['UnsealPrice', big(v.unsealPrice)],
    ['PieceCIDFound', int(v.pieceCidFound)],
    ['PaymentAddress', hex(v.paymentAddress)],
    ['MinPricePerByte', big(v.minPricePerByte)],
    ['MaxPaymentInterval', int(v.maxPaymentInterval)],
    ['MaxPaymentIntervalIncrease', int(v.maxPaymentIntervalIncrease)]
  ]),
  TransportsResponse: (v) => map([['Protocols', v.protocols.map((p) => map([['Name', p.name], ['Addresses', p.addresses.map(hex)]]))]])
}

/** Encodes a logical value of a message type in its documented key order (no sorting). */
export function encodeMessage (type, value) {
  const build = builders[type]
  if (build == null) throw new Error(`unknown message type ${type}`)
  return encode(build(value), { mapSorter: null })
}

const strictDecode = { strict: true, rejectDuplicateMapKeys: true, useMaps: true, allowIndefinite: false, allowUndefined: false, tags: [] }
strictDecode.tags[42] = Tagged.decoder(42)

/** Every map's keys in wire order, by path (e.g. "", "Transfer", "DealStatus.Proposal"). */
function keyOrders (value, path, out) {
  if (value instanceof Map) {
    out[path] = [...value.keys()]
    for (const [k, v] of value) keyOrders(v, path === '' ? k : `${path}.${k}`, out)
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => keyOrders(v, `${path}[${i}]`, out))
  }
  return out
}

/** Decodes bytes strictly (minimal encodings, no duplicate keys, no indefinite lengths) and re-encodes them in the order read. */
export function inspect (bytes) {
  const value = decode(bytes, strictDecode)
  return { keys: keyOrders(value, '', {}), reencoded: Buffer.from(encode(value, { mapSorter: null })).toString('hex') }
}
