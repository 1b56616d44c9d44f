import { Config, ConfigError, Effect } from "effect"

export interface ServerLimits {
  readonly headersTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly maxConnections: number
}

const positive = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.validate({ message: `${name} must be a positive integer`, validation: (n) => n > 0 }),
    Config.withDefault(fallback)
  )

// A slow client holds a socket only until these deadlines (Node answers 408 and closes); past
// MAX_CONNECTIONS new sockets are closed at once, so a crowd cannot starve the process.
export const serverLimits = Effect.gen(function* () {
  const headersTimeoutMs = yield* positive("HEADERS_TIMEOUT_MS", 10_000)
  const requestTimeoutMs = yield* positive("REQUEST_TIMEOUT_MS", 10_000)
  const maxConnections = yield* positive("MAX_CONNECTIONS", 1_000)
  if (headersTimeoutMs > requestTimeoutMs) {
    return yield* Effect.fail(
      ConfigError.InvalidData(
        ["HEADERS_TIMEOUT_MS"],
        `HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed REQUEST_TIMEOUT_MS (${requestTimeoutMs})`
      )
    )
  }
  return { headersTimeoutMs, requestTimeoutMs, maxConnections } satisfies ServerLimits
})

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
