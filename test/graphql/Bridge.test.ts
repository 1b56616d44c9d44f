import { SqlError } from "@effect/sql/SqlError"
import { assert, describe, it } from "@effect/vitest"
import { Data, Effect, Logger, Schema, Stream } from "effect"
import { createSchema, createYoga } from "graphql-yoga"
import { type ClientError, ConnectionNotFound } from "../../src/Domain/Errors.js"
import * as Bridge from "../../src/graphql/Bridge.js"

class Internal extends Data.TaggedError("Internal")<{ readonly message: string }> {}

const SECRET = "SELECT auth_token_hash FROM connections"

// the bridge's compile-time contract: whatever is not a ClientError must be mapped before the edge.
// Each line fails to typecheck if the bridge accepts more than ClientError.
const contract = (bridge: Bridge.Bridge, operation: Bridge.Operation) => [
  // @ts-expect-error a SqlError is not a ClientError
  bridge.run(Effect.fail(new SqlError({ message: SECRET })), operation),
  // @ts-expect-error a tagged error outside the union is refused too
  bridge.stream(Stream.fail(new Internal({ message: SECRET })), operation)
]

// a resolver whose effect reaches the bridge with a failure the types would refuse (as `never`),
// to show the runtime masks it too, and logs it
const failures: Record<string, Effect.Effect<string, unknown>> = {
  sql: Effect.fail(new SqlError({ message: SECRET })),
  parse: Schema.decodeUnknown(Schema.Number)(SECRET).pipe(Effect.as("x")),
  tagged: Effect.fail(new Internal({ message: SECRET })),
  defect: Effect.die(new Error(SECRET)),
  typed: Effect.fail(new ConnectionNotFound({ uuid: "u-1" }))
}

const withBridge = Effect.gen(function* () {
  const logs: Array<string> = []
  const logger = Logger.make(({ message, cause }) => {
    logs.push(`${String(message)} ${String(cause)}`)
  })
  const bridge = yield* Bridge.make.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: `type Query { ${Object.keys(failures)
        .map((name) => `${name}: String`)
        .join(" ")} }
        type Subscription { sql: String }`,
      resolvers: {
        Query: Object.fromEntries(
          Object.entries(failures).map(([name, effect]) => [
            name,
            (_: unknown, __: unknown, ctx: Bridge.Operation) =>
              bridge.run(effect as Effect.Effect<string, ClientError>, ctx)
          ])
        ),
        Subscription: {
          sql: {
            subscribe: (_: unknown, __: unknown, ctx: Bridge.Operation) =>
              bridge.stream(
                Stream.fail(new SqlError({ message: SECRET })) as unknown as Stream.Stream<never, ClientError>,
                ctx
              ),
            resolve: (value: unknown) => value
          }
        }
      }
    }),
    maskedErrors: bridge.maskedErrors,
    logging: false
  })
  const exec = (query: string, accept = "application/json") =>
    Effect.promise(async (): Promise<string> => {
      const response = await yoga.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept },
        body: JSON.stringify({ query })
      })
      return response.text()
    })
  return { exec, logs, bridge }
})

describe("the bridge exposes ClientErrors only", () => {
  it.scopedLive("a ClientError keeps its message and code", () =>
    Effect.gen(function* () {
      const { exec } = yield* withBridge
      const result = JSON.parse(yield* exec("{ typed }"))
      assert.deepStrictEqual(result.errors[0].extensions, { code: "ConnectionNotFound" })
      assert.strictEqual(result.errors[0].message, "No connection with uuid u-1")
    })
  )

  it.scopedLive("a SqlError, a ParseError, any other tagged error and a defect are masked and logged", () =>
    Effect.gen(function* () {
      const { exec, logs } = yield* withBridge
      for (const name of ["sql", "parse", "tagged", "defect"]) {
        const text = yield* exec(`{ ${name} }`)
        assert.notInclude(text, "auth_token_hash", name)
        const result = JSON.parse(text)
        assert.strictEqual(result.errors[0].message, "Unexpected error.", name)
        // yoga's masked error: never the failure's own tag
        assert.oneOf(result.errors[0].extensions?.code, [undefined, "INTERNAL_SERVER_ERROR"], name)
      }
      assert.lengthOf(logs, 4)
      for (const line of logs) assert.include(line, "auth_token_hash")
    })
  )

  it.scopedLive("a subscription's SqlError is masked and logged", () =>
    Effect.gen(function* () {
      const { exec, logs } = yield* withBridge
      const text = yield* exec("subscription { sql }", "text/event-stream")
      assert.notInclude(text, "auth_token_hash")
      assert.include(text, "Unexpected error.")
      assert.lengthOf(logs, 1)
    })
  )

  it("the types refuse what is not a ClientError", () => {
    assert.isFunction(contract)
  })
})
