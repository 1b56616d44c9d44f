import { Cause, ConfigError, Effect, Layer, Option } from "effect"

// What stopped the start, as one line naming the variable and the fix (a stack trace helps nobody here).
const describeConfig = (error: ConfigError.ConfigError): string => {
  switch (error._op) {
    case "And":
    case "Or":
      return `${describeConfig(error.left)}; ${describeConfig(error.right)}`
    case "InvalidData":
    case "MissingData":
    case "SourceUnavailable":
    case "Unsupported":
      return error.path.length === 0 ? error.message : `${error.path.join(".")}: ${error.message}`
  }
}

export const describe = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.failureOption(cause)
  const text = Option.match(failure, {
    onNone: () => Cause.pretty(cause).split("\n")[0] ?? "unknown failure",
    onSome: (error) =>
      ConfigError.isConfigError(error)
        ? describeConfig(error)
        : error instanceof Error
          ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ""}`
          : String(error)
  })
  return text.replace(/\s+/g, " ").trim()
}

// the server runs until interrupted; a failure to start prints its one line and exits 1 (runMain)
export const launch = <E>(layer: Layer.Layer<never, E>) =>
  Layer.launch(layer).pipe(
    Effect.tapErrorCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.void
        : Effect.sync(() => process.stderr.write(`syncwatch did not start: ${describe(cause)}\n`))
    )
  )
