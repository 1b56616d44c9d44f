import { fork } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { freePort, killAll, startSyncwatch, stop } from "./Children.js"

// npm run bench:flood — /health while the open sync API is flooded. syncwatch runs as `npm start` runs it;
// a flooder in its own process keeps FLOOD_CONNECTIONS (256) keep-alive sockets busy for FLOOD_SECONDS (10)
// with registrations and status lookups from random addresses (TRUST_PROXY=true, rate limits raised so
// the server does the work); this process probes GET /health every 100 ms and prints its latencies.

const connections = Number(process.env["FLOOD_CONNECTIONS"] ?? "256")
const seconds = Number(process.env["FLOOD_SECONDS"] ?? "10")
const dir = mkdtempSync(join(tmpdir(), "syncwatch-flood-"))
process.on("exit", () => {
  killAll()
  rmSync(dir, { recursive: true, force: true })
})

const port = await freePort()
const syncwatch = await startSyncwatch({
  HOST: "127.0.0.1",
  PORT: String(port),
  DATABASE_URL: join(dir, "flood.db"),
  LOG_LEVEL: "warning",
  TRUST_PROXY: "true",
  MAX_CONNECTIONS: String(connections + 64)
})

const probe = async () => {
  const started = performance.now()
  const status = await fetch(`${syncwatch.origin}/health`).then(
    (response) => response.status,
    () => 0
  )
  return { ms: performance.now() - started, status }
}

const flooder = fork(
  fileURLToPath(new URL("flooder.ts", import.meta.url)),
  [syncwatch.origin, String(connections), String(seconds)],
  {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  }
)
const flooded = new Promise<{ sent: number; byStatus: Record<string, number> }>((resolve) =>
  flooder.once("message", resolve)
)
let done = false
void flooded.then(() => {
  done = true
})

const samples: Array<{ ms: number; status: number }> = []
await new Promise((resolve) => setTimeout(resolve, 500))
while (!done) {
  samples.push(await probe())
  await new Promise((resolve) => setTimeout(resolve, 100))
}
const flood = await flooded
await stop(syncwatch.child)

const sorted = samples.map((s) => s.ms).sort((a, b) => a - b)
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]?.toFixed(1)
console.log(`load average (1 min, at the end): ${loadavg()[0]?.toFixed(2)}`)
console.log(
  `flood: ${flood.sent} requests in ${seconds} s (${Math.round(flood.sent / seconds)}/s) over ${connections} sockets`
)
console.log(`answers: ${JSON.stringify(flood.byStatus)}`)
console.log(`/health: ${samples.length} probes, ${samples.filter((s) => s.status !== 200).length} not 200`)
console.log(`/health ms: p50 ${at(0.5)}  p95 ${at(0.95)}  p99 ${at(0.99)}  max ${sorted.at(-1)?.toFixed(1)}`)
