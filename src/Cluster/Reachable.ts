import { randomBytes } from "node:crypto"
import * as Net from "node:net"
import { Duration, Effect } from "effect"

// how long the runner's own address has to answer before this instance takes it for unreachable
const WITHIN = Duration.seconds(3)

// Whether the runner address this instance announces reaches it: before the runner's socket listens, a plain
// listener takes its place (the listen address and port), and a connection to the announced address must reach
// it, proven by a random word sent through. An address announced but not this machine's (behind NAT, a container's
// inner address, a typo), or a port forwarded elsewhere, fails; the reason is returned, nothing thrown.
export const check = (listenHost: string, host: string, port: number): Effect.Effect<string | undefined> =>
  Effect.async<string | undefined>((resume) => {
    const word = randomBytes(16).toString("hex")
    let heard = ""
    let done = false
    const sockets = new Set<Net.Socket>()
    const finish = (problem: string | undefined) => {
      if (done) return
      done = true
      clearTimeout(timer)
      for (const socket of sockets) socket.destroy()
      server.close(() => resume(Effect.succeed(problem)))
    }
    const server = Net.createServer((socket) => {
      sockets.add(socket)
      socket.on("data", (chunk: Buffer) => {
        heard += chunk.toString()
        if (heard.includes(word)) finish(undefined)
      })
      socket.on("error", () => {})
    })
    const timer = setTimeout(
      () => finish(`nothing answered at ${host}:${port} within ${Duration.format(WITHIN)}`),
      Duration.toMillis(WITHIN)
    )
    // a port in use is the runner's own listen to refuse (naming CLUSTER_RUNNER_PORT): no verdict here
    server.once("error", () => finish(undefined))
    server.listen(port, listenHost, () => {
      const probe = Net.connect({ host, port }, () => probe.write(word))
      sockets.add(probe)
      probe.on("error", (error) => finish(`${host}:${port} cannot be reached (${error.message})`))
      probe.on("close", () => {
        if (!heard.includes(word)) finish(`${host}:${port} reaches another listener, not this instance's runner`)
      })
    })
    return Effect.sync(() => finish(undefined))
  })
