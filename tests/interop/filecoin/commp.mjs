// Prints, one JSON line per file, the piece CID v2 and padded size of each file as
// @web3-storage/data-segment computes them. Usage: node commp.mjs FILE...
import { readFile } from 'node:fs/promises'
import { Piece } from '@web3-storage/data-segment'

for (const file of process.argv.slice(2)) {
  const piece = Piece.fromPayload(await readFile(file))
  console.log(JSON.stringify({ file, pieceCidV2: Piece.toLink(piece).toString(), paddedSize: Number(piece.size) }))
}
