import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Layer, Redacted, Schema } from "effect"
import { ConnectionsRepo, fromRow, Row } from "../../src/Connections/Repo.js"
import { Connection, ConnectionUuid } from "../../src/Domain/Connection.js"
import * as Token from "../../src/Domain/Token.js"
import { STORES } from "../utils/Stores.js"

// Schema's decoding of a row, the reference the fast decoder must match
const bySchema = (raw: unknown): Connection => {
  const row = Schema.decodeUnknownSync(Row)(raw)
  return new Connection({
    uuid: row.uuid,
    name: row.name,
    direction: row.direction,
    siteUrl: row.site_url,
    authTokenHash: row.auth_token_hash,
    status: row.status,
    metadata: row.metadata,
    approvedAt: row.approved_at,
    suspendedAt: row.suspended_at,
    suspendedReason: row.suspended_reason,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
    statusChangedBy: row.status_changed_by,
    insertedAt: row.inserted_at,
    updatedAt: row.updated_at
  })
}

// every field, the secret and the times included, as text: two decodings agree when these are equal
const shown = (connection: Connection) =>
  JSON.stringify({
    ...connection,
    authTokenHash: connection.authTokenHash === null ? null : Redacted.value(connection.authTokenHash)
  })

const uuid = (n: number) => ConnectionUuid.make(`01900000-0000-7000-8000-${String(n).padStart(12, "0")}`)

describe.each(STORES)("the fast row decoder on $name", (store) => {
  it.scoped("equals Schema's decoding of the same rows, every column set and every nullable one null", () =>
    Effect.gen(function* () {
      const repo = yield* ConnectionsRepo
      const sql = yield* SqlClient.SqlClient
      const now = DateTime.unsafeMake("2026-05-13T10:00:00Z")
      const later = DateTime.unsafeMake("2026-05-13T10:00:07Z")
      const fresh = (n: number, direction: "sender" | "receiver") =>
        repo.insert({
          uuid: uuid(n),
          name: `site ${n} — “quoted”`,
          direction,
          siteUrl: `https://s${n}.example.com`,
          authTokenHash: Token.hash(Redacted.make(`token-${n}`)),
          status: direction === "sender" ? "pending" : "active",
          metadata: n === 1 ? {} : { nested: { list: [1, "two", null] }, flag: true },
          now
        })
      yield* fresh(1, "sender")
      yield* fresh(2, "receiver")
      yield* fresh(3, "sender")
      yield* repo.setAdminStatus(uuid(2), "suspended", "paused by hand", later)
      yield* repo.setAdminStatus(uuid(2), "revoked", undefined, later)
      yield* repo.autoActivate(uuid(3), later)
      yield* sql`UPDATE connections SET auth_token_hash = NULL WHERE uuid = ${uuid(1)}`

      const raw = yield* sql`SELECT * FROM connections ORDER BY uuid`
      assert.lengthOf(raw, 3)
      assert.deepStrictEqual(raw.map(fromRow).map(shown), raw.map(bySchema).map(shown))
      // and what the repository serves is that decoding
      assert.deepStrictEqual((yield* repo.list({})).map(shown), raw.map(bySchema).map(shown))
    }).pipe(Effect.provide(ConnectionsRepo.layer.pipe(Layer.provideMerge(store.layer))))
  )

  it("refuses what Schema refuses", () => {
    const good = {
      uuid: uuid(1),
      name: "n",
      direction: "sender",
      site_url: "https://a.example.com",
      auth_token_hash: null,
      status: "active",
      metadata: "{}",
      approved_at: null,
      suspended_at: null,
      suspended_reason: null,
      revoked_at: null,
      revoked_reason: null,
      status_changed_by: null,
      inserted_at: "2026-05-13T10:00:00Z",
      updated_at: "2026-05-13T10:00:00Z"
    }
    assert.strictEqual(shown(fromRow(good)), shown(bySchema(good)))
    for (const bad of [
      { uuid: "not-a-uuid" },
      { direction: "sideways" },
      { status: "gone" },
      { metadata: "[1]" },
      { name: 7 },
      { status_changed_by: "someone" },
      { inserted_at: null }
    ]) {
      const row = { ...good, ...bad }
      assert.throws(() => bySchema(row), undefined, undefined, JSON.stringify(bad))
      assert.throws(() => fromRow(row), undefined, undefined, JSON.stringify(bad))
    }
  })
})
