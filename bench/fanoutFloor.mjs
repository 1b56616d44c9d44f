// The fan-out bench's floor (FANOUT_SERVER=floor, bench/fanout.ts): the default run's server work with nothing
// but Node, undici, ws and better-sqlite3, so a machine's own cost for it is measured beside syncwatch's:
// - rounds of N get-connection-status POSTs (undici's dispatch, 64 at a time) every EVERY s plus up to 10 %,
//   their results upserted in one SQLite transaction a round;
// - the round's results encoded once, as one JSON payload, and sent to each page as a graphql-ws `next` frame
//   (its subscription's prefix, the shared payload); a page that subscribes gets the last round at once;
// - GET /health reads and writes SQLite, as syncwatch's does.
// Plain JavaScript run by plain node, as the bundled server is. Speaks only what bench/fanoutPages.ts sends.
import { createHash } from "node:crypto"
import { createServer } from "node:http"
import Database from "better-sqlite3"
import { Agent } from "undici"
import { WebSocketServer } from "ws"

const { PORT, FLOOR_CONNECTIONS, FLOOR_REMOTE, FLOOR_PREFIX, FLOOR_EVERY, FLOOR_DB } = process.env
const connections = Number(FLOOR_CONNECTIONS)
const everyMs = Number(FLOOR_EVERY) * 1000

const db = new Database(FLOOR_DB)
db.pragma("journal_mode = WAL")
db.pragma("synchronous = NORMAL")
db.exec(`CREATE TABLE connections (uuid TEXT PRIMARY KEY);
  CREATE TABLE heartbeat (id INTEGER PRIMARY KEY, at TEXT NOT NULL);
  CREATE TABLE results (uuid TEXT PRIMARY KEY, status TEXT NOT NULL, checked_at TEXT NOT NULL, duration_ms REAL)`)
const readable = db.prepare("SELECT 1 FROM connections LIMIT 1")
const heartbeat = db.prepare("INSERT INTO heartbeat VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at")
const upsert = db.prepare(`INSERT INTO results VALUES (?, ?, ?, ?) ON CONFLICT (uuid) DO UPDATE SET
  status = excluded.status, checked_at = excluded.checked_at, duration_ms = excluded.duration_ms`)
const save = db.transaction((results) => {
  for (const r of results) upsert.run(r.connectionUuid, r.status, r.checkedAt, r.durationMs)
})

const agent = new Agent({ keepAliveTimeout: 120_000 })
const targets = Array.from({ length: connections }, (_, i) => {
  const url = new URL(`${FLOOR_REMOTE}/r${i}${FLOOR_PREFIX}/sync/api/get-connection-status`)
  const hash = createHash("sha256").update(`bench-token-${i}`).digest("hex")
  return {
    uuid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    origin: url.origin,
    path: url.pathname,
    body: JSON.stringify({ receiver_url: `http://127.0.0.1:${PORT}`, auth_token_hash: hash })
  }
})
const headers = { "content-type": "application/json" }
const check = (target) =>
  new Promise((resolve) => {
    const started = Date.now()
    const chunks = []
    let status = 0
    const result = (outcome, reason) =>
      resolve({
        connectionUuid: target.uuid,
        status: outcome,
        reason,
        checkedAt: new Date().toISOString(),
        durationMs: Date.now() - started
      })
    const request = { origin: target.origin, path: target.path, method: "POST", headers, body: target.body }
    agent.dispatch(request, {
      onRequestStart() {},
      onResponseStart(_controller, statusCode) {
        status = statusCode
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk)
      },
      onResponseEnd() {
        try {
          const answer = JSON.parse(Buffer.concat(chunks).toString())
          result(status === 200 && answer.success === true ? answer.status.toUpperCase() : "NOT_FOUND", null)
        } catch {
          result("ERROR", "invalid_response")
        }
      },
      onResponseError() {
        result("OFFLINE", "unreachable")
      }
    })
  })

let round = 0
// the last round as the bytes every page's frame ends with: the payload and the frame's closing brace
let shared
const feeds = new Set()
const send = (feed) => feed.socket.send(Buffer.concat([feed.prefix, shared]), { binary: false })
const nextRound = async () => {
  const results = new Array(connections)
  let next = 0
  const worker = async () => {
    while (next < connections) {
      const i = next++
      results[i] = await check(targets[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(64, connections) }, worker))
  save(results)
  round++
  const completedAt = new Date().toISOString()
  const statusRounds = { round, completedAt, held: null, senderStatuses: results, verifications: [], severed: [] }
  shared = Buffer.from(`${JSON.stringify({ data: { statusRounds } })}}`)
  for (const feed of feeds) send(feed)
  setTimeout(nextRound, everyMs * (1 + Math.random() * 0.1))
}

const OK = JSON.stringify({ status: "ok" })
const server = createServer((request, response) => {
  if (request.method !== "GET" || request.url !== "/health") return void response.writeHead(404).end()
  readable.get()
  heartbeat.run(new Date().toISOString())
  response.writeHead(200, { "content-type": "application/json", "content-length": OK.length }).end(OK)
})
const wss = new WebSocketServer({ server, path: "/graphql", handleProtocols: () => "graphql-transport-ws" })
wss.on("connection", (socket) => {
  socket.on("message", (data) => {
    const message = JSON.parse(data.toString())
    if (message.type === "connection_init") socket.send(JSON.stringify({ type: "connection_ack" }))
    // statusChanged and connectionChanged have nothing to say in the run: only the round feed is served
    if (message.type !== "subscribe" || !message.payload.query.includes("statusRounds")) return
    const feed = { socket, prefix: Buffer.from(`{"id":${JSON.stringify(message.id)},"type":"next","payload":`) }
    feeds.add(feed)
    socket.on("close", () => feeds.delete(feed))
    if (shared !== undefined) send(feed)
  })
})
server.listen(Number(PORT), "127.0.0.1", () => void nextRound())
