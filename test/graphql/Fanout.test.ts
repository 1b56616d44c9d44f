import { createRequire } from "node:module"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, PubSub, Stream } from "effect"
import type { DocumentNode, GraphQLError } from "graphql"
import * as Bridge from "../../src/graphql/Bridge.js"
import * as Fanout from "../../src/graphql/Fanout.js"

// the copy of graphql Fanout executes with (see Fanout.ts)
const graphql = createRequire(import.meta.url)("graphql") as typeof import("graphql")

const schema = graphql.buildSchema(`
  type Query { ok: Boolean }
  type Change { connectionUuid: ID!, label: String! }
  type Subscription { changed: Change! }
`)
let executed = 0
const Change = schema.getType("Change") as import("graphql").GraphQLObjectType
Change.getFields()["label"]!.resolve = (change: { label: string }) => {
  executed++
  return change.label
}
const query = "subscription { changed { connectionUuid label } }"
const document = graphql.parse(query) as DocumentNode
const selection = (role: string) =>
  Fanout.selection({ schema, document, variableValues: null, operationName: null, contextValue: {} }, query, role)
const mask = (error: GraphQLError) => error

describe("encoded once", () => {
  it("one event, one selection: executed once, the same bytes for every subscriber", () => {
    executed = 0
    const event = { changed: { connectionUuid: "c1", label: "first" } }
    const first = Fanout.encode(selection("viewer"), mask, event)
    const second = Fanout.encode(selection("viewer"), mask, event)
    assert.strictEqual(first, second)
    assert.strictEqual(executed, 1)
    assert.deepStrictEqual(JSON.parse(String(first)), { data: { changed: { connectionUuid: "c1", label: "first" } } })
    // another role is another selection: executed for it once more
    Fanout.encode(selection("admin"), mask, event)
    assert.strictEqual(executed, 2)
    // an equal event that is another object is another event
    Fanout.encode(selection("viewer"), mask, { changed: { connectionUuid: "c1", label: "first" } })
    assert.strictEqual(executed, 3)
  })

  it("a result is replaced by a newer one of the same connection, keyed by its connectionUuid", () => {
    assert.strictEqual(Fanout.conflationKey({ connectionUuid: "c1" }), "c1")
    assert.isUndefined(Fanout.conflationKey({ round: 3 }))
  })
})

describe("one run of a hot stream", () => {
  it.scoped("operations handed the same Stream share one subscription to it; it ends with the last", () =>
    Effect.gen(function* () {
      const bridge = yield* Bridge.make
      const pubsub = yield* PubSub.unbounded<string>()
      let runs = 0
      const stopped = yield* Deferred.make<void>()
      const hot = Stream.unwrap(Effect.sync(() => runs++).pipe(Effect.as(Stream.fromPubSub(pubsub)))).pipe(
        Stream.ensuring(Deferred.succeed(stopped, undefined))
      )
      const operation = () => ({ request: new Request("http://localhost/graphql") })
      const first = operation()
      const second = operation()
      bridge.stream(hot, first)
      bridge.stream(hot, second)
      const seen: Array<Array<string>> = [[], []]
      const leaveFirst = bridge.sourceOf(first)!.listen({
        chunk: (events) => seen[0]!.push(...(Chunk.toReadonlyArray(events) as Array<string>)),
        end: () => undefined
      })
      const leaveSecond = bridge.sourceOf(second)!.listen({
        chunk: (events) => seen[1]!.push(...(Chunk.toReadonlyArray(events) as Array<string>)),
        end: () => undefined
      })
      yield* Effect.repeat(Effect.yieldNow(), { until: () => runs === 1 })
      yield* PubSub.publish(pubsub, "a")
      yield* Effect.repeat(Effect.yieldNow(), { until: () => seen[1]!.length === 1 })
      assert.deepStrictEqual(seen, [["a"], ["a"]])
      assert.strictEqual(runs, 1)
      leaveFirst()
      assert.isFalse(yield* Deferred.isDone(stopped))
      leaveSecond()
      yield* Deferred.await(stopped)
    })
  )
})
