import { existsSync, readFileSync } from "node:fs"
import { SourceMap, type SourceMapping } from "node:module"
import { fileURLToPath } from "node:url"

// tsx bench/profile.ts <file.cpuprofile> [top]: where a --cpu-prof profile spends its time, as self time
// by function and by package (effect, graphql, undici, ... and syncwatch's own src/), plus inclusive time
// of syncwatch's own functions. Frames in the bundled server (dist/, build.mjs) are read through its source
// maps, back to src/ and node_modules/. PROFILE_AFTER: see below.

interface Node {
  readonly id: number
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
    readonly columnNumber: number
  }
  readonly children?: ReadonlyArray<number>
}
interface Profile {
  readonly nodes: ReadonlyArray<Node>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const [file, topArg] = process.argv.slice(2)
if (file === undefined) {
  console.error("usage: tsx bench/profile.ts <file.cpuprofile> [top]")
  process.exit(2)
}
const top = Number(topArg ?? 25)
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile

// a bundled frame as the file it came from: the source map beside the bundle's file, when there is one
const maps = new Map<string, SourceMap | undefined>()
const mapOf = (url: string) => {
  if (!maps.has(url)) {
    const path = url.startsWith("file:") ? `${fileURLToPath(url)}.map` : ""
    maps.set(url, existsSync(path) ? new SourceMap(JSON.parse(readFileSync(path, "utf8"))) : undefined)
  }
  return maps.get(url)
}
const original = (node: Node): Node => {
  const { url, lineNumber, columnNumber } = node.callFrame
  const found = url.includes("/dist/") ? mapOf(url)?.findEntry(lineNumber, columnNumber) : undefined
  if (found === undefined || !("originalSource" in found)) return node
  const entry = found as SourceMapping
  const callFrame = {
    ...node.callFrame,
    url: entry.originalSource,
    lineNumber: entry.originalLine,
    columnNumber: entry.originalColumn
  }
  return { ...node, callFrame }
}

const byId = new Map(profile.nodes.map((node) => [node.id, original(node)]))
const parent = new Map<number, number>()
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)

// PROFILE_AFTER=createConnection: only the samples after the last one with that function on its stack (the
// bench's checks without the receivers' creation)
const after = process.env["PROFILE_AFTER"]
const onStack = (id: number, name: string) => {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    if (byId.get(at)!.callFrame.functionName.includes(name)) return true
  }
  return false
}
let first = 0
if (after !== undefined) {
  profile.samples.forEach((id, i) => {
    if (onStack(id, after)) first = i + 1
  })
}
// PROFILE_LAST_SECONDS=30: only the samples of the profile's last 30 s (a bench that stops right after what it
// measures)
const lastUs = Number(process.env["PROFILE_LAST_SECONDS"] ?? Number.POSITIVE_INFINITY) * 1e6
if (Number.isFinite(lastUs)) {
  let fromEnd = 0
  for (let i = profile.samples.length - 1; i >= first; i--) {
    fromEnd += profile.timeDeltas[i] ?? 0
    if (fromEnd > lastUs) {
      first = i + 1
      break
    }
  }
}
const selfUs = new Map<number, number>()
for (const [i, id] of profile.samples.entries()) {
  if (i >= first) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0)

// syncwatch's own code: src/ (under tsx, or through the bundle's source maps)
const own = (url: string) => /\/src\//.test(url) && !url.includes("node_modules")
const packageOf = (url: string): string => {
  if (url === "") return "(native/gc/idle)"
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (nm?.[1] !== undefined) return nm[1]
  if (own(url)) return `syncwatch ${url.slice(url.search(/\/src\//) + 1)}`
  if (url.startsWith("node:")) return "node core"
  return url
}
const where = (node: Node) => {
  const { functionName, url, lineNumber, columnNumber } = node.callFrame
  const short = url.includes("node_modules/") ? url.replace(/^.*node_modules\//, "") : url.replace(/^.*\/src\//, "src/")
  return `${functionName || "(anonymous)"} ${short}:${lineNumber + 1}:${columnNumber + 1}`
}

const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us)
const byFunction = new Map<string, number>()
const byPackage = new Map<string, number>()
const inclusiveOwn = new Map<string, number>()
for (const [id, us] of selfUs) {
  const node = byId.get(id)!
  add(byFunction, where(node), us)
  add(byPackage, packageOf(node.callFrame.url), us)
  // inclusive time of syncwatch's own frames, each counted once per sample stack
  const seen = new Set<string>()
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frame = byId.get(at)!
    if (!own(frame.callFrame.url)) continue
    const key = where(frame)
    if (!seen.has(key)) add(inclusiveOwn, key, us)
    seen.add(key)
  }
}

const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`)
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1000).toFixed(0).padStart(8)} ms ${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}`)
  }
}
console.log(`total sampled ${(total / 1000).toFixed(0)} ms`)
print("self time by package", byPackage)
print("self time by function", byFunction)
print("inclusive time of syncwatch's own functions", inclusiveOwn)
