import { Logger } from "effect"

type Entry = Logger.Logger.Options<unknown>

const text = (message: unknown) => (Array.isArray(message) ? message.join(" ") : String(message))

// a line's level and message, and its cause's text when it has one
export const plain = ({ logLevel, message, cause }: Entry): string =>
  `${logLevel.label} ${text(message)}${cause._tag === "Empty" ? "" : ` ${String(cause)}`}`

// everything a line carries, annotations included: for checks on what is (never) logged
export const rendered = ({ logLevel, message, annotations }: Entry): string =>
  `${logLevel.label} ${JSON.stringify(message)} ${JSON.stringify(Object.fromEntries(annotations))}`

// a line as the server writes it: logfmt (LOG_FORMAT's default) or json
export const logfmt = (entry: Entry): string => Logger.logfmtLogger.log(entry)
export const json = (entry: Entry): string => Logger.jsonLogger.log(entry)

// every log line of what runs under `layer`, instead of the default logger's output
export const captureLogs = (render: (entry: Entry) => string = plain) => {
  const lines: Array<string> = []
  const logger = Logger.make((entry) => {
    lines.push(render(entry))
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}
