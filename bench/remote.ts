import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

// A loopback "remote sender" in its own process: answers get-connection-status like a PhoenixKitSync site
// for any path that ends in /sync/api/get-connection-status and any hash, keep-alive on. Started by
// bench/run.ts with fork(); it reports its port and, when asked, its request count and CPU time over IPC.
// REMOTE_DELAY_MS answers each after a fixed delay; REMOTE_ARRIVALS=1 keeps each hash's arrival times, of which
// bench/cluster.ts asks a summary.

export type RemoteMessage =
  | { readonly type: "ready"; readonly port: number }
  | { readonly type: "stats"; readonly stats: RemoteStats }
  | { readonly type: "arrivals"; readonly arrivals: Arrivals }

// the requests since `since` (epoch ms): how many, of how many hashes, how many came less than `gapMs` after
// the same hash's previous one; and, for the hashes seen before `since`, the latest first arrival after it
export interface Arrivals {
  readonly requests: number
  readonly hashes: number
  readonly within: number
  // of those, how many came less than a second after
  readonly withinSecond: number
  readonly minGapMs: number
  readonly allAgainAfterMs: number | null
}

export interface RemoteStats {
  readonly answered: number
  readonly rejected: number
  readonly cpuMs: number
}

const ENDPOINT = "/sync/api/get-connection-status"
const ACTIVE = JSON.stringify({ success: true, status: "active", name: "bench remote" })
const NOT_FOUND = JSON.stringify({ success: false, error: "Not found" })

let answered = 0
let rejected = 0
const delayMs = Number(process.env["REMOTE_DELAY_MS"] ?? 0)
const arrivals = process.env["REMOTE_ARRIVALS"] === "1" ? new Map<string, Array<number>>() : undefined

const arrived = (text: string) => {
  if (arrivals === undefined) return
  const hash = (JSON.parse(text) as { auth_token_hash: string }).auth_token_hash
  const times = arrivals.get(hash)
  if (times === undefined) arrivals.set(hash, [Date.now()])
  else times.push(Date.now())
}

const summary = (since: number, gapMs: number): Arrivals => {
  let requests = 0
  let within = 0
  let withinSecond = 0
  let hashes = 0
  let minGapMs = Number.POSITIVE_INFINITY
  let allAgainAt: number | null = null
  for (const times of (arrivals ?? new Map<string, Array<number>>()).values()) {
    const first = times.findIndex((at) => at >= since)
    if (first < 0) {
      allAgainAt = Number.POSITIVE_INFINITY
      continue
    }
    hashes++
    if (first > 0) allAgainAt = Math.max(allAgainAt ?? 0, times[first]!)
    for (let i = first; i < times.length; i++) {
      requests++
      if (i === 0) continue
      const gap = times[i]! - times[i - 1]!
      minGapMs = Math.min(minGapMs, gap)
      if (gap < gapMs) within++
      if (gap < Math.min(gapMs, 1000)) withinSecond++
    }
  }
  return {
    requests,
    hashes,
    within,
    withinSecond,
    minGapMs,
    allAgainAfterMs: allAgainAt === null || !Number.isFinite(allAgainAt) ? null : allAgainAt - since
  }
}

const validBody = (text: string): boolean => {
  try {
    const body = JSON.parse(text) as Record<string, unknown>
    return typeof body["receiver_url"] === "string" && typeof body["auth_token_hash"] === "string"
  } catch {
    return false
  }
}

const server = createServer((request, response) => {
  const chunks: Array<Buffer> = []
  request.on("data", (chunk: Buffer) => chunks.push(chunk))
  request.on("end", () => {
    const path = (request.url ?? "").split("?")[0] ?? ""
    const text = Buffer.concat(chunks).toString()
    const ok = request.method === "POST" && path.endsWith(ENDPOINT) && validBody(text)
    if (ok) {
      answered++
      arrived(text)
    } else rejected++
    const body = ok ? ACTIVE : NOT_FOUND
    const answer = () => {
      response.writeHead(ok ? 200 : 404, {
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(body)
      })
      response.end(body)
    }
    if (delayMs > 0) setTimeout(answer, delayMs)
    else answer()
  })
})
// stay open across the bench's phases so neither client pays for reconnects between runs
server.keepAliveTimeout = 120_000
server.headersTimeout = 121_000

const send = (message: RemoteMessage) => process.send?.(message)

server.listen(0, "127.0.0.1", () => send({ type: "ready", port: (server.address() as AddressInfo).port }))

process.on("message", (message: { readonly type?: string; readonly since?: number; readonly gapMs?: number }) => {
  if (message.type === "arrivals") {
    send({ type: "arrivals", arrivals: summary(message.since ?? 0, message.gapMs ?? 0) })
    return
  }
  if (message.type !== "stats") return
  const cpu = process.cpuUsage()
  send({ type: "stats", stats: { answered, rejected, cpuMs: (cpu.user + cpu.system) / 1000 } })
})
// the parent going away (even by SIGKILL) closes the IPC channel: never outlive it
process.on("disconnect", () => process.exit(0))
