import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { cpuMs, freePort, killAll, startSyncwatch, stop } from "./Children.js"
const dir = mkdtempSync(join(tmpdir(), "hp-"))
const port = await freePort()
const sw = await startSyncwatch({ HOST: "127.0.0.1", PORT: String(port), SITE_URL: `http://127.0.0.1:${port}`, DATABASE_URL: join(dir, "db"), LOG_LEVEL: "warning" }, [])
for (const path of ["/health", "/health", "/metrics", "/nothing"]) {
  for (let i = 0; i < 200; i++) await (await fetch(`${sw.origin}${path}`)).arrayBuffer()
  const before = cpuMs(sw.pid)!
  const n = 2000
  for (let i = 0; i < n; i++) await (await fetch(`${sw.origin}${path}`)).arrayBuffer()
  console.log(`${path}: ${(((cpuMs(sw.pid)! - before) * 1000) / n).toFixed(0)} µs CPU per request`)
}
await stop(sw.child)
killAll()
process.exit(0)
