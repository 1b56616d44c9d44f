import { DateTime } from "effect"
import { GraphQLError, GraphQLScalarType, Kind } from "graphql"
import { formatIsoMillis } from "../Domain/Time.js"

// DateTime values leave as ISO-8601 UTC strings ("2026-05-13T10:00:00Z" when whole seconds); a number is a
// check's epoch milliseconds (Time.EpochMillis)
export const DateTimeScalar = new GraphQLScalarType({
  name: "DateTime",
  serialize: (value) => {
    if (typeof value === "number" && Number.isFinite(value)) return formatIsoMillis(value).replace(/\.000Z$/, "Z")
    if (DateTime.isDateTime(value)) return DateTime.formatIso(value).replace(/\.000Z$/, "Z")
    if (value instanceof Date) return value.toISOString().replace(/\.000Z$/, "Z")
    throw new GraphQLError("DateTime cannot represent this value")
  },
  parseValue: (value) => parse(value),
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? parse(ast.value) : invalid())
})

const invalid = (): never => {
  throw new GraphQLError("DateTime must be an ISO-8601 string")
}

const parse = (value: unknown) => {
  const parsed = typeof value === "string" ? DateTime.make(value) : undefined
  return parsed?._tag === "Some" ? DateTime.toUtc(parsed.value) : invalid()
}
