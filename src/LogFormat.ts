import { Config, Effect, FiberRef, HashSet, Layer, Logger } from "effect"

export const LOG_FORMATS = ["json", "logfmt", "pretty"] as const

const loggers: Record<(typeof LOG_FORMATS)[number], Logger.Logger<unknown, void>> = {
  json: Logger.withConsoleLog(Logger.jsonLogger),
  logfmt: Logger.withConsoleLog(Logger.logfmtLogger),
  pretty: Logger.prettyLoggerDefault
}

// Effect's own loggers in place of the default one; a capture or a silence set by a caller (tests) is
// left alone. Provided beneath Logs.SafeLogsLive, so every format sees the clipped, escaped values.
export const LogFormatLive = Layer.unwrapEffect(
  Effect.map(
    Config.literal(...LOG_FORMATS)("LOG_FORMAT").pipe(Config.withDefault(process.stdout.isTTY ? "pretty" : "logfmt")),
    (format) =>
      Layer.scopedDiscard(
        Effect.locallyScopedWith(FiberRef.currentLoggers, (current) =>
          HashSet.has(current, Logger.defaultLogger)
            ? HashSet.add(HashSet.remove(current, Logger.defaultLogger), loggers[format])
            : current
        )
      )
  )
)
