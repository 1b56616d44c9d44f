import type { IncomingMessage, Server, ServerResponse } from "node:http"
import type { Socket } from "node:net"
import type { Duplex } from "node:stream"
import { Config, ConfigError, Effect, Option } from "effect"
import { forwardedClient, trustProxy } from "./Peer/Settings.js"
import * as Setting from "./Setting.js"

export interface ServerLimits {
  readonly headersTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly maxConnections: number
  readonly maxConnectionsPerAddress: number
  readonly trustProxy: boolean
}

const positive = (name: string, fallback: number, unit: string) =>
  Setting.integer(name, { min: 1, unit }).pipe(Config.withDefault(fallback))

// unset: DEFAULT_PER_ADDRESS, or MAX_CONNECTIONS when that is lower
export const DEFAULT_PER_ADDRESS = 100
export const maxConnectionsPerAddress = Setting.integer("MAX_CONNECTIONS_PER_ADDRESS", {
  min: 1,
  unit: "sockets per client address"
}).pipe(Config.option)

// A slow client holds a socket only until these deadlines (Node answers 408 and closes); past
// MAX_CONNECTIONS new sockets are closed at once, so a crowd cannot starve the process, and past
// MAX_CONNECTIONS_PER_ADDRESS so is one client's, so a single address cannot be that crowd.
export const serverLimits = Effect.gen(function* () {
  const headersTimeoutMs = yield* positive("HEADERS_TIMEOUT_MS", 10_000, "milliseconds")
  const requestTimeoutMs = yield* positive("REQUEST_TIMEOUT_MS", 10_000, "milliseconds")
  const maxConnections = yield* positive("MAX_CONNECTIONS", 1_000, "sockets")
  const perAddress = yield* maxConnectionsPerAddress
  if (headersTimeoutMs > requestTimeoutMs) {
    return yield* Effect.fail(
      ConfigError.InvalidData(
        ["HEADERS_TIMEOUT_MS"],
        `HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed REQUEST_TIMEOUT_MS (${requestTimeoutMs})`
      )
    )
  }
  if (Option.exists(perAddress, (n) => n > maxConnections)) {
    return yield* Effect.fail(
      ConfigError.InvalidData(
        ["MAX_CONNECTIONS_PER_ADDRESS"],
        `MAX_CONNECTIONS_PER_ADDRESS (${Option.getOrThrow(perAddress)}) must not exceed MAX_CONNECTIONS (${maxConnections})`
      )
    )
  }
  return {
    headersTimeoutMs,
    requestTimeoutMs,
    maxConnections,
    maxConnectionsPerAddress: Option.getOrElse(perAddress, () => Math.min(DEFAULT_PER_ADDRESS, maxConnections)),
    trustProxy: yield* trustProxy
  } satisfies ServerLimits
})

const TOO_MANY = JSON.stringify({ error: "Too many connections from this address" })

// One client address holds at most maxConnectionsPerAddress of the server's sockets. Without TRUST_PROXY the
// address is the socket's and the cap acts at accept time, before a byte is read: a socket over it is closed
// at once, as past MAX_CONNECTIONS. Behind a trusted proxy every socket is the proxy's, so sockets are not
// counted per address; requests are, by X-Forwarded-For's client, from their headers to their end (an
// upgraded socket until it closes), and one over the cap is answered 429 without reaching the app.
export const capPerAddress = (server: Server, limits: ServerLimits) => {
  const held = new Map<string, number>()
  const take = (address: string) => {
    const count = held.get(address) ?? 0
    if (count >= limits.maxConnectionsPerAddress) return false
    held.set(address, count + 1)
    return true
  }
  const release = (address: string) => {
    const count = (held.get(address) ?? 1) - 1
    if (count > 0) held.set(address, count)
    else held.delete(address)
  }
  if (!limits.trustProxy) {
    server.on("connection", (socket: Socket) => {
      const address = socket.remoteAddress
      if (address === undefined) return
      if (!take(address)) return void socket.destroy()
      socket.once("close", () => release(address))
    })
    return
  }
  const clientOf = (request: IncomingMessage) => {
    const header = request.headers["x-forwarded-for"]
    return forwardedClient(Array.isArray(header) ? header[0] : header) ?? request.socket.remoteAddress ?? "unknown"
  }
  const emit = server.emit.bind(server) as (event: string | symbol, ...args: Array<unknown>) => boolean
  server.emit = ((event: string | symbol, ...args: Array<unknown>) => {
    if (event !== "request" && event !== "upgrade") return emit(event, ...args)
    const request = args[0] as IncomingMessage
    const address = clientOf(request)
    if (!take(address)) {
      if (event === "request") {
        ;(args[1] as ServerResponse)
          .writeHead(429, { "content-type": "application/json", "retry-after": "1", connection: "close" })
          .end(TOO_MANY)
      } else {
        ;(args[1] as Duplex).end(
          `HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: ${TOO_MANY.length}\r\n\r\n${TOO_MANY}`
        )
      }
      return true
    }
    ;(event === "request" ? (args[1] as ServerResponse) : (args[1] as Duplex)).once("close", () => release(address))
    return emit(event, ...args)
  }) as typeof server.emit
}

const codeOf = (cause: unknown): string =>
  typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : "unknown"

// listen() failures named by the variable that fixes them
export const listenFailure = (cause: unknown, host: string, port: number): ConfigError.ConfigError => {
  const code = codeOf(cause)
  switch (code) {
    case "EADDRINUSE":
      return ConfigError.InvalidData(
        ["PORT"],
        `port ${port} on ${host} is already in use: stop the process that holds it, or set PORT to a free port`
      )
    case "EACCES":
      return ConfigError.InvalidData(
        ["PORT"],
        `port ${port} needs privileges this process lacks: set PORT to 1024 or above`
      )
    default:
      return ConfigError.InvalidData(
        ["HOST"],
        `cannot listen on ${JSON.stringify(host)} (${code}): set HOST to an address of this machine, such as 127.0.0.1, or 0.0.0.0 for every interface`
      )
  }
}
