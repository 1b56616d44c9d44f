import { Effect, Schema } from "effect"
import type { ConnectionStatus, Direction } from "./Connection.js"
import { InvalidInput } from "./Errors.js"
import { SenderStatus } from "./Events.js"

// The registry read a page at a time (Query.connectionPage): rows in (name, uuid) order, each page after the
// cursor of the last row the client holds.

// a connection's last check, either kind (a SenderStatus, or the one VerificationOutcome it lacks), or none yet
export const CheckOutcome = Schema.Literal(...SenderStatus.literals, "exists", "not_checked")
export type CheckOutcome = typeof CheckOutcome.Type

export interface PageFilter {
  readonly direction?: Direction | undefined
  readonly status?: ConnectionStatus | undefined
  readonly outcome?: CheckOutcome | undefined
  // a part of the name or of the site URL, any case
  readonly search?: string | undefined
  // lower-case, checked by Connections.page (MAX_UUIDS)
  readonly uuids?: ReadonlyArray<string> | undefined
}

export const MAX_FIRST = 500
export const DEFAULT_FIRST = 100

// the sort key of the last row read: opaque to clients (base64url of its JSON)
export interface After {
  readonly name: string
  readonly uuid: string
}

export const encodeCursor = (after: After): string =>
  Buffer.from(JSON.stringify([after.name, after.uuid])).toString("base64url")

const decodeKey = Schema.decodeUnknownOption(Schema.parseJson(Schema.Tuple(Schema.String, Schema.UUID)))

export const decodeCursor = (cursor: string): Effect.Effect<After, InvalidInput> => {
  const key = /^[A-Za-z0-9_-]*$/.test(cursor) ? decodeKey(Buffer.from(cursor, "base64url").toString("utf8")) : undefined
  return key === undefined || key._tag === "None"
    ? Effect.fail(new InvalidInput({ field: "after", message: "after is not a cursor this API gave (endCursor)" }))
    : Effect.succeed({ name: key.value[0], uuid: key.value[1].toLowerCase() })
}

// how many rows a page asks for: 1 to MAX_FIRST
export const pageSize = (first: number | undefined): Effect.Effect<number, InvalidInput> =>
  first === undefined
    ? Effect.succeed(DEFAULT_FIRST)
    : Number.isInteger(first) && first >= 1 && first <= MAX_FIRST
      ? Effect.succeed(first)
      : Effect.fail(new InvalidInput({ field: "first", message: `first is ${first}; it must be 1 to ${MAX_FIRST}` }))

// LIKE's wildcards in a search are literal characters
export const likePattern = (search: string): string => `%${search.toLowerCase().replace(/[\\%_]/g, "\\$&")}%`
