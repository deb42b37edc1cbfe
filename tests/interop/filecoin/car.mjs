// CAR and DAG-CBOR reference: @ipld/car and @ipld/dag-cbor.
//   node car.mjs write OUT N   write a CARv1 of N linked DAG-CBOR blocks; print roots and block CIDs
//   node car.mjs check FILE    read a CAR (v1 or v2); check every block's sha2-256 CID and that DAG-CBOR
//                              blocks re-encode to the same bytes; print roots and blocks
import { createWriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { CarWriter, CarReader } from '@ipld/car'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'

const [command, file, count] = process.argv.slice(2)

if (command === 'write') {
  const blocks = []
  let previous = null
  for (let i = 0; i < Number(count); i++) {
    const value = { i, data: new Uint8Array(i * 7).fill(i & 0xff), link: previous, name: `block-${i}` }
    const bytes = dagCbor.encode(value)
    const cid = CID.createV1(dagCbor.code, await sha256.digest(bytes))
    blocks.push({ cid, bytes })
    previous = cid
  }
  const { writer, out } = CarWriter.create([previous])
  const done = new Promise((resolve) => Readable.from(out).pipe(createWriteStream(file)).on('finish', resolve))
  for (const block of blocks) await writer.put(block)
  await writer.close()
  await done
  console.log(JSON.stringify({ roots: [previous.toString()], blocks: blocks.map((b) => b.cid.toString()) }))
} else if (command === 'check') {
  const reader = await CarReader.fromBytes(await readFile(file))
  const blocks = []
  for await (const { cid, bytes } of reader.blocks()) {
    const digest = await sha256.digest(bytes)
    const hashOk = cid.multihash.code !== sha256.code || Buffer.compare(Buffer.from(digest.bytes), Buffer.from(cid.multihash.bytes)) === 0
    const canonical = cid.code !== dagCbor.code || Buffer.compare(Buffer.from(dagCbor.encode(dagCbor.decode(bytes))), Buffer.from(bytes)) === 0
    blocks.push({ cid: cid.toString(), length: bytes.length, hashOk, canonical })
  }
  console.log(JSON.stringify({ roots: (await reader.getRoots()).map(String), blocks }))
}
