import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

// A loopback "remote sender" in its own process: answers get-connection-status like a PhoenixKitSync site
// for any path that ends in /sync/api/get-connection-status and any hash, keep-alive on. Started by
// bench/run.ts with fork(); it reports its port and, when asked, its request count and CPU time over IPC.

export type RemoteMessage =
  | { readonly type: "ready"; readonly port: number }
  | { readonly type: "stats"; readonly stats: RemoteStats }

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
    const ok = request.method === "POST" && path.endsWith(ENDPOINT) && validBody(Buffer.concat(chunks).toString())
    if (ok) answered++
    else rejected++
    const body = ok ? ACTIVE : NOT_FOUND
    response.writeHead(ok ? 200 : 404, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(body)
    })
    response.end(body)
  })
})
// stay open across the bench's phases so neither client pays for reconnects between runs
server.keepAliveTimeout = 120_000
server.headersTimeout = 121_000

const send = (message: RemoteMessage) => process.send?.(message)

server.listen(0, "127.0.0.1", () => send({ type: "ready", port: (server.address() as AddressInfo).port }))

process.on("message", (message: { readonly type?: string }) => {
  if (message.type !== "stats") return
  const cpu = process.cpuUsage()
  send({ type: "stats", stats: { answered, rejected, cpuMs: (cpu.user + cpu.system) / 1000 } })
})
// the parent going away (even by SIGKILL) closes the IPC channel: never outlive it
process.on("disconnect", () => process.exit(0))
