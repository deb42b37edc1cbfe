// Parses Terraform (.tf) with HashiCorp's HCL parser (hcl2json, compiled to WebAssembly by CDK for Terraform) and
// prints the result as JSON, for the deploy policy tests (tests/Silo.Tests/DeployPolicyTests.cs).
//   node parse.mjs DIR      every *.tf under DIR: {"files": {"relative/path.tf": <hcl2json>, ...}}
//   node parse.mjs -        one file's text on stdin: {"files": {"stdin.tf": <hcl2json>}}
// A file that does not parse fails the run (exit 1) with the parser's message on stderr.
import { parse } from '@cdktf/hcl2json'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

function tfFiles (dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name.startsWith('.') ? [] : tfFiles(path)
    return name.endsWith('.tf') ? [path] : []
  })
}

const target = process.argv[2]
if (!target) {
  console.error('usage: node parse.mjs DIR | -')
  process.exit(2)
}

const files = {}
try {
  if (target === '-') {
    files['stdin.tf'] = await parse('stdin.tf', readFileSync(0, 'utf8'))
  } else {
    for (const path of tfFiles(target)) {
      files[relative(target, path)] = await parse(path, readFileSync(path, 'utf8'))
    }
  }
} catch (e) {
  console.error(`hcl2json: ${e?.message ?? e}`)
  process.exit(1)
}
process.stdout.write(JSON.stringify({ files }))
