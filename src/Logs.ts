import { Effect, FiberRef, HashMap, HashSet, Layer, Logger } from "effect"

// Values from callers reach the logs (a site URL, a remote's error text): each one is cut to a bounded
// length and its control characters escaped, so a 65 KB value costs a line, and a newline forges none.
export const ANNOTATION_LIMIT = 200
export const MESSAGE_LIMIT = 1000

const CONTROL = /[\p{Cc}\u2028\u2029]/gu

const escapeControls = (text: string): string =>
  text.replace(CONTROL, (c) =>
    c === "\n" ? "\\n" : c === "\r" ? "\\r" : c === "\t" ? "\\t" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`
  )

export const clip = (text: string, limit: number): string =>
  escapeControls(text.length > limit ? `${text.slice(0, limit)}…(${text.length - limit} more chars)` : text)

const clipAny = (value: unknown, limit: number): unknown => (typeof value === "string" ? clip(value, limit) : value)

const safe = <M, O>(logger: Logger.Logger<M, O>): Logger.Logger<M, O> =>
  Logger.mapInputOptions(logger, (options) => ({
    ...options,
    message: (Array.isArray(options.message)
      ? options.message.map((part) => clipAny(part, MESSAGE_LIMIT))
      : clipAny(options.message, MESSAGE_LIMIT)) as M,
    annotations: HashMap.map(options.annotations, (value) => clipAny(value, ANNOTATION_LIMIT))
  }))

// every logger in place (the default one, or a test's capture) sees only clipped, escaped values
export const SafeLogsLive = Layer.scopedDiscard(
  Effect.locallyScopedWith(FiberRef.currentLoggers, (loggers) => HashSet.map(loggers, safe))
)
