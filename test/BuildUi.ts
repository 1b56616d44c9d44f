import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

// vitest's global setup: the status page is built (when its sources changed) before any test starts a server
export default function setup() {
  execFileSync(process.execPath, ["ui/build.mjs"], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdio: "inherit"
  })
}
