import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort, killAll, peakRssMb, rssMb, startSyncwatch, stop } from "./Children.js"

// tsx bench/attack.ts: issue 18's item-2 query (50 aliases of connections { statusHistory(limit: 1000) { at } },
// viewer token) against ATTACK_SIZE connections (default 1,000) on the server as `npm start` runs it. Prints
// the answer (status, code, time), syncwatch's peak RSS, and /health's slowest answer while it ran (each
// probe gives up at 1 s). ATTACK_ALIASES sets the aliases, ATTACK_ABORT_MS aborts the client (as the issue's
// client gave up at 5 s), ATTACK_ENV adds server settings (`GRAPHQL_MAX_COST=1e9` lets the query through).

const size = Number(process.env["ATTACK_SIZE"] ?? 1000)
const aliases = Number(process.env["ATTACK_ALIASES"] ?? 50)
const abortMs = process.env["ATTACK_ABORT_MS"] === undefined ? undefined : Number(process.env["ATTACK_ABORT_MS"])
const ADMIN = "an-admin-token-for-the-attack-bench"
const VIEWER = "a-viewer-token-for-the-attack-bench"

const dir = mkdtempSync(join(tmpdir(), "syncwatch-attack-"))
process.on("exit", () => {
  killAll()
  rmSync(dir, { recursive: true, force: true })
})

const post = async (url: string, token: string, query: string, variables = {}, signal?: AbortSignal) => {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    ...(signal === undefined ? {} : { signal })
  })
  return { status: response.status, text: await response.text() }
}

const main = async () => {
  const port = await freePort()
  const extra = Object.fromEntries(
    (process.env["ATTACK_ENV"] ?? "")
      .split(" ")
      .filter((pair) => pair !== "")
      .map((pair) => pair.split("=") as [string, string])
  )
  const syncwatch = await startSyncwatch(
    {
      HOST: "127.0.0.1",
      PORT: String(port),
      SITE_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: join(dir, "syncwatch.db"),
      ALLOW_INTERNAL_URLS: "true",
      ADMIN_TOKEN: ADMIN,
      VIEWER_TOKEN: VIEWER,
      LOG_LEVEL: "warning",
      ...extra
    },
    process.env["ATTACK_NODE_ARGS"]?.split(" ").filter((arg) => arg !== "") ?? []
  )
  const url = `${syncwatch.origin}/graphql`
  const create = "mutation ($i: CreateConnectionInput!) { createConnection(input: $i) { connection { uuid } } }"
  for (let i = 0; i < size; i++) {
    const input = { name: `r${i}`, direction: "RECEIVER", siteUrl: `http://127.0.0.1:9/site${i}` }
    const { status } = await post(url, ADMIN, create, { i: input })
    if (status !== 200) throw new Error(`createConnection ${i}: HTTP ${status}`)
  }
  const idle = rssMb(syncwatch.pid) ?? 0
  const query = `query { ${Array.from({ length: aliases }, (_, i) => `a${i}: connections { statusHistory(limit: 1000) { at } }`).join(" ")} }`
  console.log(`${size} connections, ${aliases} aliases, query ${query.length} bytes; idle RSS ${idle.toFixed(0)} MB`)

  let slowest = 0
  let failed = 0
  let probes = 0
  let running = true
  const probing = (async () => {
    while (running) {
      const started = performance.now()
      const ok = await fetch(`${syncwatch.origin}/health`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false
      )
      probes++
      if (!ok) failed++
      slowest = Math.max(slowest, performance.now() - started)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  })()
  const controller = new AbortController()
  if (abortMs !== undefined) setTimeout(() => controller.abort(), abortMs)
  const started = performance.now()
  const answer = await post(url, VIEWER, query, {}, controller.signal).then(
    ({ status, text }) => {
      const body = JSON.parse(text) as { errors?: Array<{ message: string; extensions?: { code?: string } }> }
      const error = body.errors?.[0]
      return `HTTP ${status}, ${text.length} bytes${error === undefined ? "" : `, ${error.extensions?.code}: ${error.message}`}`
    },
    (error: Error) => `client gave up: ${error.name}`
  )
  const ms = performance.now() - started
  // after an abort: how long until the server is idle again (/health fast, CPU quiet)
  if (abortMs !== undefined) {
    for (let i = 0; i < 600; i++) {
      const t = performance.now()
      const ok = await fetch(`${syncwatch.origin}/health`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false
      )
      if (ok && performance.now() - t < 50) break
    }
    console.log(
      `server answered /health fast again ${((performance.now() - started) / 1000).toFixed(1)} s after the query started`
    )
  }
  running = false
  await probing
  console.log(`answer: ${answer} after ${(ms / 1000).toFixed(2)} s`)
  console.log(`peak RSS ${peakRssMb(syncwatch.pid)?.toFixed(0)} MB, now ${rssMb(syncwatch.pid)?.toFixed(0)} MB`)
  console.log(`/health: ${probes} probes, ${failed} failed (1 s), slowest ${slowest.toFixed(0)} ms`)
  await stop(syncwatch.child)
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
