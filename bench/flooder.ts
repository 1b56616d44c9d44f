import { randomBytes } from "node:crypto"
import { Pool } from "undici"

// A flood of the open sync API from its own process, so that the prober in bench/flood.ts measures the
// server and not its own event loop. argv: origin, connections, seconds. Every request names a random
// client address (X-Forwarded-For, honoured with TRUST_PROXY=true) and a random token hash, so neither the
// per-address buckets nor a cache spare the server its work; half are registrations (pending until the cap).
// Reports { sent, byStatus } over IPC when done.

const [origin = "", connectionsArg = "256", secondsArg = "10"] = process.argv.slice(2)
const connections = Number(connectionsArg)
const until = Date.now() + Number(secondsArg) * 1000
const pool = new Pool(origin, { connections, pipelining: 1 })
const byStatus: Record<string, number> = {}
let sent = 0

const address = () => `10.${randomBytes(3).join(".")}`
const hash = () => randomBytes(32).toString("hex")

const one = async (i: number) => {
  const register = i % 2 === 0
  const body = register
    ? { sender_url: `https://flood-${hash().slice(0, 12)}.example.com`, connection_name: "Flood", auth_token: hash() }
    : { receiver_url: "https://flood.example.com", auth_token_hash: hash() }
  const response = await pool.request({
    method: "POST",
    path: `/phoenix_kit/sync/api/${register ? "register-connection" : "get-connection-status"}`,
    headers: { "content-type": "application/json", accept: "application/json", "x-forwarded-for": address() },
    body: JSON.stringify(body)
  })
  await response.body.dump()
  sent++
  byStatus[response.statusCode] = (byStatus[response.statusCode] ?? 0) + 1
}

const worker = async (w: number) => {
  for (let i = w; Date.now() < until; i += connections) {
    await one(i).catch((error: unknown) => {
      const key = error instanceof Error ? error.name : "error"
      byStatus[key] = (byStatus[key] ?? 0) + 1
    })
  }
}

await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)))
await pool.close()
process.send?.({ sent, byStatus })
