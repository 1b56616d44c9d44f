import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Connections, type PageArgs } from "../../src/Connections.js"
import type { Connection } from "../../src/Domain/Connection.js"
import { encodeCursor, type PageFilter } from "../../src/Domain/Page.js"
import { withConfig } from "../utils/Db.js"
import { STORES } from "../utils/Stores.js"

// The registry a page at a time (Query.connectionPage), its counts and the bounded list form, on both stores.

const SELF = "https://self.example.com"

// a receiver (checked ACTIVE or OFFLINE, or not yet) or a sender (EXISTS)
const ROWS = [
  { name: "Bravo", direction: "receiver", site: "https://b.example.com", outcome: "active" },
  { name: "alpha", direction: "receiver", site: "https://a.example.com", outcome: "offline" },
  { name: "Charlie 100%", direction: "sender", site: "https://c.example.com", outcome: "exists" },
  { name: "Bravo", direction: "sender", site: "https://b2.example.com", outcome: undefined },
  { name: "Delta", direction: "receiver", site: "https://shop.delta.example.com", outcome: undefined }
] as const

const seed = Effect.gen(function* () {
  const connections = yield* Connections
  const sql = yield* SqlClient.SqlClient
  const made: Array<Connection> = []
  for (const row of ROWS) {
    const { connection } = yield* connections.create({ name: row.name, direction: row.direction, siteUrl: row.site })
    made.push(connection)
    if (row.outcome !== undefined) {
      yield* sql`INSERT INTO check_results ${sql.insert({
        connection_uuid: connection.uuid,
        kind: row.direction === "receiver" ? "sender_status" : "verification",
        outcome: row.outcome,
        checked_at: "2026-05-13T10:00:00.000Z"
      })}`
    }
  }
  return made
})

const names = (rows: ReadonlyArray<Connection>) => rows.map((row) => `${row.name}/${row.direction}`)

// every page of the filter, `first` at a time, by their cursors
const walk = (filter: PageFilter, first: number) =>
  Effect.gen(function* () {
    const connections = yield* Connections
    const pages: Array<ReadonlyArray<Connection>> = []
    let after: string | undefined
    for (;;) {
      const page = yield* connections.page({ first, after, filter })
      pages.push(page.rows)
      if (!page.hasNextPage) return pages
      after = encodeCursor(page.rows[page.rows.length - 1]!)
    }
  })

describe.each(STORES)("connection pages on $name", (store) => {
  const layer = (config: Record<string, string> = {}) =>
    Connections.Default.pipe(Layer.provideMerge(store.layer), Layer.provide(withConfig({ SITE_URL: SELF, ...config })))

  it.scoped("walks the registry in (name, uuid) order, a page at a time, by the cursors", () =>
    Effect.gen(function* () {
      const made = yield* seed
      const pages = yield* walk({}, 2)
      assert.deepStrictEqual(
        pages.map((page) => page.length),
        [2, 2, 1]
      )
      const bravos = made.filter((row) => row.name === "Bravo").map((row) => `Bravo/${row.direction}`)
      // each row once; two of one name in uuid order
      const all = names(pages.flat())
      assert.strictEqual(all.length, 5)
      assert.deepStrictEqual(new Set(all), new Set(names(made)))
      assert.deepStrictEqual(
        all.filter((name) => name.startsWith("Bravo/")),
        bravos.sort((a, b) => {
          const uuid = (name: string) => made.find((row) => `${row.name}/${row.direction}` === name)!.uuid
          return uuid(a) < uuid(b) ? -1 : 1
        })
      )
      // the same order as one page holding all
      const connections = yield* Connections
      assert.deepStrictEqual(names((yield* connections.page({ first: 500 })).rows), all)
      assert.isFalse((yield* connections.page({ first: 5 })).hasNextPage)
      assert.lengthOf((yield* connections.page({})).rows, 5)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("filters on direction, status, the last check's outcome, a part of the name or URL, and uuids", () =>
    Effect.gen(function* () {
      const made = yield* seed
      const connections = yield* Connections
      const shown = (filter: PageFilter) => Effect.map(walk(filter, 1), (pages) => names(pages.flat()).sort())
      assert.deepStrictEqual(yield* shown({ direction: "sender" }), ["Bravo/sender", "Charlie 100%/sender"])
      assert.deepStrictEqual(yield* shown({ status: "pending" }), ["Bravo/sender", "Charlie 100%/sender"])
      assert.deepStrictEqual(yield* shown({ outcome: "offline" }), ["alpha/receiver"])
      assert.deepStrictEqual(yield* shown({ outcome: "exists" }), ["Charlie 100%/sender"])
      assert.deepStrictEqual(yield* shown({ outcome: "not_checked" }), ["Bravo/sender", "Delta/receiver"])
      assert.deepStrictEqual(yield* shown({ outcome: "not_checked", direction: "receiver" }), ["Delta/receiver"])
      // any case, in the name or in the site URL; LIKE's wildcards are plain characters
      assert.deepStrictEqual(yield* shown({ search: "BRAVO" }), ["Bravo/receiver", "Bravo/sender"])
      assert.deepStrictEqual(yield* shown({ search: "shop.delta" }), ["Delta/receiver"])
      assert.deepStrictEqual(yield* shown({ search: "100%" }), ["Charlie 100%/sender"])
      assert.deepStrictEqual(yield* shown({ search: "0%" }), ["Charlie 100%/sender"])
      assert.deepStrictEqual(yield* shown({ search: "%" }), ["Charlie 100%/sender"])
      assert.deepStrictEqual(yield* shown({ search: "_" }), [])
      assert.deepStrictEqual(yield* shown({ search: "" }), yield* shown({}))
      // the rows a page shows, any case; at most MAX_UUIDS (2 here), each a UUID
      assert.deepStrictEqual(yield* shown({ uuids: [made[1]!.uuid.toUpperCase(), made[2]!.uuid] }), [
        "Charlie 100%/sender",
        "alpha/receiver"
      ])
      assert.deepStrictEqual(yield* shown({ uuids: [] }), [])
      const tooMany = yield* Effect.flip(connections.page({ filter: { uuids: made.map((row) => row.uuid) } }))
      assert.strictEqual(tooMany._tag === "InvalidInput" && tooMany.field, "uuids")
      const notUuid = yield* Effect.flip(connections.page({ filter: { uuids: ["nope"] } }))
      assert.strictEqual(notUuid._tag === "InvalidInput" && notUuid.field, "uuid")
      // the totals of the same filters
      assert.strictEqual(yield* connections.count({}), 5)
      assert.strictEqual(yield* connections.count({ outcome: "not_checked" }), 2)
      assert.strictEqual(yield* connections.count({ direction: "receiver", search: "example" }), 3)
    }).pipe(Effect.provide(layer({ MAX_UUIDS: "2" })))
  )

  it.scoped("counts each direction, status and outcome in one aggregate", () =>
    Effect.gen(function* () {
      yield* seed
      const counts = yield* (yield* Connections).counts
      const key = (c: { direction: string; status: string; outcome: string; count: number }) =>
        `${c.direction} ${c.status} ${c.outcome} ${c.count}`
      assert.deepStrictEqual(counts.map(key).sort(), [
        "receiver active active 1",
        "receiver active not_checked 1",
        "receiver active offline 1",
        "sender pending exists 1",
        "sender pending not_checked 1"
      ])
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("refuses a first out of 1…500 and a cursor it did not give, with InvalidInput naming the argument", () =>
    Effect.gen(function* () {
      yield* seed
      const connections = yield* Connections
      const refused = (args: PageArgs) => Effect.flip(connections.page(args))
      for (const first of [0, -1, 501, 1.5]) {
        const error = yield* refused({ first })
        assert.strictEqual(error._tag, "InvalidInput")
        assert.strictEqual(error._tag === "InvalidInput" && error.field, "first")
      }
      const notJson = Buffer.from("not json").toString("base64url")
      const notUuid = Buffer.from(JSON.stringify(["a", "b"])).toString("base64url")
      for (const after of ["", "!!", "a b", notJson, notUuid, Buffer.from("[1,2]").toString("base64url")]) {
        const error = yield* refused({ after })
        assert.strictEqual(error._tag === "InvalidInput" && error.field, "after", after)
      }
      assert.lengthOf((yield* connections.page({ first: 500 })).rows, 5)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("answers the list form up to MAX_LIST rows and refuses one past it with ListTooLong", () =>
    Effect.gen(function* () {
      const made = yield* seed
      const connections = yield* Connections
      const error = yield* Effect.flip(connections.listBounded())
      assert.strictEqual(error._tag, "ListTooLong")
      assert.include(error.message, "MAX_LIST")
      assert.lengthOf(yield* connections.listBounded({ direction: "sender" }), 2)
      yield* connections.delete(made[0]!.uuid)
      assert.lengthOf(yield* connections.listBounded(), 4)
      // the process's own list is whole
      assert.lengthOf(yield* connections.list(), 4)
    }).pipe(Effect.provide(layer({ MAX_LIST: "4" })))
  )
})
