import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort, killAll, startSyncwatch, stop } from "./Children.js"
const dir = mkdtempSync(join(tmpdir(), "hp-"))
const port = await freePort()
const path = process.argv[2] ?? "/health"
const sw = await startSyncwatch({ HOST: "127.0.0.1", PORT: String(port), SITE_URL: `http://127.0.0.1:${port}`, DATABASE_URL: join(dir, "db"), LOG_LEVEL: "warning" }, ["--cpu-prof", `--cpu-prof-dir=${dir}/prof`])
await new Promise((r) => setTimeout(r, 3000))
for (let i = 0; i < 5000; i++) await (await fetch(`${sw.origin}${path}`)).arrayBuffer()
await stop(sw.child, 60000)
killAll()
console.log(dir)
process.exit(0)
