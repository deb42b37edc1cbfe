// Prints, one JSON line per file, the piece CID v2 and padded size of each file as
// @web3-storage/data-segment computes them. Usage: node commp.mjs [--time] FILE...
import { readFile } from 'node:fs/promises'
import { Piece } from '@web3-storage/data-segment'

// --time: also report the seconds spent in Piece.fromPayload (the benchmark's reference rate).
const args = process.argv.slice(2)
const timed = args[0] === '--time'
for (const file of timed ? args.slice(1) : args) {
  const bytes = await readFile(file)
  const start = process.hrtime.bigint()
  const piece = Piece.fromPayload(bytes)
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  console.log(JSON.stringify({ file, pieceCidV2: Piece.toLink(piece).toString(), paddedSize: Number(piece.size), ...(timed ? { seconds } : {}) }))
}
