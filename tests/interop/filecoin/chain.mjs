// Independent Filecoin implementations for cross-checks: @glif/filecoin-address for addresses and
// @zondax/filecoin-signing-tools (pure JS) for keys, message CBOR and secp256k1 signatures.
// Reads one JSON request per line on stdin, writes one JSON answer per line.
import { createInterface } from 'node:readline'
import { newFromString, newAddress, encode } from '@glif/filecoin-address'
import * as signer from '@zondax/filecoin-signing-tools/js'

const handlers = {
  // Parse address text; answer its bytes and its text re-encoded for both networks.
  parseAddress: ({ text }) => {
    const a = newFromString(text)
    return { bytes: Buffer.from(a.bytes).toString('hex'), f: encode('f', a), t: encode('t', a) }
  },
  // Format address bytes (protocol byte + payload) as mainnet text.
  formatAddress: ({ bytes }) => {
    const b = Buffer.from(bytes, 'hex')
    return { f: encode('f', newAddress(b[0], b.subarray(1))) }
  },
  key: ({ privateKey }) => {
    const k = signer.keyRecover(Buffer.from(privateKey, 'hex'), false)
    return { address: k.address, publicKey: Buffer.from(k.publicKey).toString('hex') }
  },
  serialize: ({ message }) => ({ cbor: Buffer.from(signer.transactionSerializeRaw(message)).toString('hex') }),
  sign: ({ message, privateKey }) => ({ signature: Buffer.from(signer.transactionSignRaw(message, Buffer.from(privateKey, 'hex'))).toString('hex') }),
  verify: ({ message, signature }) => ({ valid: signer.verifySignature(Buffer.from(signature, 'hex'), message) }),
}

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue
  const request = JSON.parse(line)
  try {
    console.log(JSON.stringify({ ok: true, ...handlers[request.op](request) }))
  } catch (e) {
    console.log(JSON.stringify({ ok: false, error: String(e.message ?? e) }))
  }
}
