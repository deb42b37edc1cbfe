// JSON lines on stdin, one answer line each on stdout:
//   {"op":"encode","type":"DealParams","value":{…}}  →  {"hex":"…"}   (documented key order, see markets-cbor.mjs)
//   {"op":"inspect","hex":"…"}                        →  {"keys":{path:[…]},"reencoded":"…"}  (strict decode of our bytes)
// Errors answer {"error":"…"}; the process ends when stdin closes.
import { createInterface } from 'node:readline'
import { encodeMessage, inspect } from './markets-cbor.mjs'

const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  let answer
  try {
    const request = JSON.parse(line)
    if (request.op === 'encode') {
      answer = { hex: Buffer.from(encodeMessage(request.type, request.value)).toString('hex') }
    } else if (request.op === 'inspect') {
      answer = inspect(Uint8Array.from(Buffer.from(request.hex, 'hex')))
    } else {
      answer = { error: `unknown op ${request.op}` }
    }
  } catch (e) {
    answer = { error: String(e?.message ?? e) }
  }
  process.stdout.write(JSON.stringify(answer) + '\n')
}
