// An independent reader of the storage client's CARs (src/Silo/Client/UnixFsCar.cs) and of the gateway's /ipfs answers:
//   node unixfs-car.mjs CAR ROOT OUT
// reads the CAR with @ipld/car, checks every block's sha2-256 CID, decodes every dag-pb block with @ipld/dag-pb's
// strict decoder and re-encodes it (the bytes must be dag-pb's canonical form), reads each dag-pb node's UnixFS data
// with ipfs-unixfs, and exports the file under ROOT with ipfs-unixfs-exporter into OUT. Prints one JSON line:
// {"roots":[…],"blocks":[{"cid","codec","length","hashOk","canonical","unixfsType"}],"fileSize":N}
import { readFile, writeFile } from 'node:fs/promises'
import { CarReader } from '@ipld/car'
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { exporter } from 'ipfs-unixfs-exporter'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'

const [carPath, rootText, outPath] = process.argv.slice(2)
const reader = await CarReader.fromBytes(await readFile(carPath))
const blocks = []
for await (const { cid, bytes } of reader.blocks()) {
  const digest = await sha256.digest(bytes)
  const hashOk = cid.multihash.code === sha256.code && Buffer.compare(Buffer.from(digest.bytes), Buffer.from(cid.multihash.bytes)) === 0
  let canonical = true
  let unixfsType = null
  if (cid.code === dagPb.code) {
    const node = dagPb.decode(bytes)
    canonical = Buffer.compare(Buffer.from(dagPb.encode(node)), Buffer.from(bytes)) === 0
    unixfsType = UnixFS.unmarshal(node.Data).type
  }
  blocks.push({ cid: cid.toString(), codec: cid.code, length: bytes.length, hashOk, canonical, unixfsType })
}

const blockstore = {
  async * get (cid) {
    const block = await reader.get(cid)
    if (block == null) throw new Error(`block ${cid} is not in the CAR`)
    yield block.bytes
  }
}
const entry = await exporter(CID.parse(rootText), blockstore)
const chunks = []
for await (const chunk of entry.content()) chunks.push(chunk)
const file = Buffer.concat(chunks)
await writeFile(outPath, file)
console.log(JSON.stringify({ roots: (await reader.getRoots()).map(String), blocks, fileSize: file.length, type: entry.type }))
