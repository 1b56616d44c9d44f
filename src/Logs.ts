import { Cause, Effect, FiberRef, HashMap, HashSet, Layer, Logger } from "effect"

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

// an error's message (a remote's text, a host name a caller sent) clipped as any caller value, its stack kept
const clipError = (error: unknown): unknown => {
  if (typeof error === "string") return clip(error, ANNOTATION_LIMIT)
  if (!(error instanceof Error) || error.message.length <= ANNOTATION_LIMIT) return error
  const message = clip(error.message, ANNOTATION_LIMIT)
  const clipped = new Error(message)
  clipped.name = error.name
  const at = error.stack?.indexOf("\n    at ") ?? -1
  clipped.stack = `${error.name}: ${message}${at >= 0 ? error.stack!.slice(at) : ""}`
  return clipped
}

const clipCause = (cause: Cause.Cause<unknown>): Cause.Cause<unknown> =>
  Cause.isEmpty(cause)
    ? cause
    : Cause.match(cause, {
        onEmpty: Cause.empty,
        onFail: (error) => Cause.fail(clipError(error)),
        onDie: (defect) => Cause.die(clipError(defect)),
        onInterrupt: Cause.interrupt,
        onSequential: Cause.sequential,
        onParallel: Cause.parallel
      })

const safe = <M, O>(logger: Logger.Logger<M, O>): Logger.Logger<M, O> =>
  Logger.mapInputOptions(logger, (options) => ({
    ...options,
    message: (Array.isArray(options.message)
      ? options.message.map((part) => clipAny(part, MESSAGE_LIMIT))
      : clipAny(options.message, MESSAGE_LIMIT)) as M,
    annotations: HashMap.map(options.annotations, (value) => clipAny(value, ANNOTATION_LIMIT)),
    cause: clipCause(options.cause)
  }))

// every logger in place (the default one, or a test's capture) sees only clipped, escaped values
export const SafeLogsLive = Layer.scopedDiscard(
  Effect.locallyScopedWith(FiberRef.currentLoggers, (loggers) => HashSet.map(loggers, safe))
)
