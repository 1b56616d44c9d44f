import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Data, Effect, Option, Stream } from "effect"

// Parsing of a sync-API request the way the reference's Phoenix pipeline sees it (B §3.0), minus its crashes (A6).

export const BODY_LIMIT = 64 * 1024

export const json = (body: unknown, status = 200) => HttpServerResponse.unsafeJson(body, { status })
export const failure = (status: number, error: string, extra: Record<string, unknown> = {}) =>
  json({ success: false, error, ...extra }, status)

export class Rejected extends Data.TaggedError("Rejected")<{
  readonly response: HttpServerResponse.HttpServerResponse
}> {}
export const reject = (status: number, error: string, extra?: Record<string, unknown>) =>
  new Rejected({ response: failure(status, error, extra) })

const tooLarge = () => reject(413, "Request body too large")

const acceptsJson = (accept: string | undefined) =>
  accept === undefined || accept.trim() === "" || /json|\*\/\*|application\/\*/i.test(accept)

// Past the limit the rest is read and dropped, so the client gets to read the 413 rather than a reset socket;
// past DRAIN_LIMIT the socket is given up on.
const DRAIN_LIMIT = 16 * BODY_LIMIT

const readCapped = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function* () {
    const declared = Number(request.headers["content-length"] ?? "0")
    if (declared > BODY_LIMIT) return yield* tooLarge()
    const chunks: Array<Uint8Array> = []
    const size = yield* request.stream.pipe(
      Stream.mapError(() => reject(400, "Unreadable body")),
      Stream.runFoldEffect(0, (read, chunk) => {
        const next = read + chunk.byteLength
        if (next <= BODY_LIMIT) chunks.push(chunk)
        return next > DRAIN_LIMIT ? tooLarge() : Effect.succeed(next)
      })
    )
    if (size > BODY_LIMIT) return yield* tooLarge()
    return Buffer.concat(chunks).toString("utf8")
  })

// B §3.0: the pipeline's `accepts ["json"]` runs before any handler, so it answers even a disabled module
export const negotiate = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  if (!acceptsJson(request.headers["accept"])) return yield* reject(406, "Not Acceptable")
})

// the request's parameters: query string merged under the JSON body; a body that is not an object adds nothing
export const params = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const query = Object.fromEntries(new URL(request.url, "http://local").searchParams)
  const text = yield* readCapped(request)
  if (text.trim() === "") return query as Record<string, unknown>
  const body = yield* Effect.try({ try: () => JSON.parse(text) as unknown, catch: () => reject(400, "Invalid JSON") })
  return typeof body === "object" && body !== null && !Array.isArray(body)
    ? { ...query, ...(body as Record<string, unknown>) }
    : (query as Record<string, unknown>)
})

// B §3.0 presence rule: absent, null and "" are missing; then A6: anything present but not a string is refused
export const requireStrings = <const K extends string>(input: Record<string, unknown>, fields: ReadonlyArray<K>) =>
  Effect.gen(function* () {
    const missing = fields.filter((field) => input[field] === undefined || input[field] === null || input[field] === "")
    if (missing.length > 0) return yield* reject(400, "Missing required fields", { fields: missing })
    const wrong = fields.filter((field) => typeof input[field] !== "string")
    if (wrong.length > 0) return yield* reject(400, "Fields must be strings", { fields: wrong })
    return input as { readonly [P in K]: string }
  })

export const optionalString = (input: Record<string, unknown>, field: string) =>
  Effect.gen(function* () {
    const value = input[field]
    if (value === undefined || value === null || value === "") return Option.none<string>()
    if (typeof value !== "string") return yield* reject(400, "Fields must be strings", { fields: [field] })
    return Option.some(value)
  })
