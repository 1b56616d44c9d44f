import { createServer } from "node:net"
import { Effect } from "effect"

// A port nobody listens on right now, so a site can know its own SITE_URL (and a restarted one its old port)
// before it starts. It is chosen at random *below* the kernel's ephemeral range (32768–60999 on Linux): a port
// from `listen(0)` lies inside it, and so does the local port of every outgoing socket, so between this check and
// the process binding it (seconds, for an instance joining the cluster) any connection to PostgreSQL or to a fake
// remote could take it (seen in CI: "port … is already in use"). Below the range only another explicit bind can.
const LOWEST = 20_000
const SPAN = 12_000

const tryPort = (port: number): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    const server = createServer()
    server.once("error", () => resume(Effect.succeed(false)))
    server.listen(port, "127.0.0.1", () => server.close(() => resume(Effect.succeed(true))))
  })

// never the same port twice in one test process: two picks before either is bound must differ
const handedOut = new Set<number>()

export const freePort: Effect.Effect<number> = Effect.suspend(() => {
  const port = LOWEST + Math.floor(Math.random() * SPAN)
  if (handedOut.has(port)) return freePort
  return Effect.flatMap(tryPort(port), (free) => {
    if (!free) return freePort
    handedOut.add(port)
    return Effect.succeed(port)
  })
})
