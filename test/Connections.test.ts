import { createHash } from "node:crypto"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import {
  DateTime,
  Deferred,
  Effect,
  Fiber,
  Layer,
  Option,
  Queue,
  Redacted,
  type Scope,
  Stream,
  TestClock
} from "effect"
import { Connections, type CreateInput } from "../src/Connections.js"
import {
  type Connection,
  type ConnectionUuid,
  isVerifiable,
  REVOKED_REASON,
  RemoteNotification,
  SEVERED_REASON
} from "../src/Domain/Connection.js"
import { formatIsoSeconds } from "../src/Domain/Time.js"
import { withConfig } from "./utils/Db.js"
import { STORES } from "./utils/Stores.js"

const SELF = "https://self.example.com"
const T0 = "2026-05-13T10:00:00Z"

const iso = (dateTime: DateTime.Utc | null) => (dateTime === null ? null : formatIsoSeconds(dateTime))
const advance = (seconds: number) => TestClock.adjust(`${seconds} seconds`)

const sender = (siteUrl = "https://remote.example.com", extra: Partial<CreateInput> = {}) =>
  Effect.flatMap(Connections, (connections) =>
    Effect.map(connections.create({ name: "Remote", direction: "sender", siteUrl, ...extra }), (_) => _.connection)
  )

// an active sender, and the registry's changes from just after its creation
const watchedActive = Effect.gen(function* () {
  const connections = yield* Connections
  const changes = yield* connections.subscribe
  const { uuid } = yield* sender("https://a.example.com", { status: "active" })
  yield* Queue.takeAll(changes)
  return { connections, changes, uuid }
})

const rawRow = (uuid: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<Record<string, unknown>>`SELECT * FROM connections WHERE uuid = ${uuid}`
    return row
  })

const notification = (success: boolean) =>
  ({
    notified_at: T0,
    notification_success: success,
    notification_status: success === true ? "registered" : "failed",
    notification_message: null,
    remote_connection_uuid: null,
    http_status: 200
  }) as const

// One suite, both stores: the registry and its repository on a SQLite file and on a PostgreSQL database
describe.each(STORES)("on $name", (store) => {
  const layer = (config: Record<string, string> = {}) =>
    Connections.Default.pipe(Layer.provideMerge(store.layer), Layer.provide(withConfig({ SITE_URL: SELF, ...config })))

  // every test: a fresh database, the clock at T0 plus half a second (stored times are whole seconds)
  const test = <A, E>(name: string, body: () => Effect.Effect<A, E, Connections | SqlClient.SqlClient | Scope.Scope>) =>
    it.scoped(name, () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.unsafeMake(T0)) + 500)
        return yield* body()
      }).pipe(Effect.provide(layer()))
    )

  describe("Connections.create", () => {
    test("stores a pending sender with only the SHA-256 hex of a generated 43-character token", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const { connection, authToken } = yield* connections.create({
          name: "Remote",
          direction: "sender",
          siteUrl: "https://remote.example.com"
        })
        const token = Redacted.value(authToken)
        assert.match(token, /^[A-Za-z0-9_-]{43}$/)
        assert.strictEqual(connection.status, "pending")
        assert.match(connection.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
        assert.strictEqual(iso(connection.insertedAt), T0)
        assert.isNull(connection.approvedAt)

        const row = yield* rawRow(connection.uuid)
        assert.strictEqual(row?.["auth_token_hash"], createHash("sha256").update(token).digest("hex"))
        assert.notInclude(JSON.stringify(row), token)
        assert.strictEqual(row?.["inserted_at"], T0)
        // JSON text in SQLite, jsonb (read as an object) in PostgreSQL
        const metadata = row?.["metadata"]
        assert.deepStrictEqual(typeof metadata === "string" ? JSON.parse(metadata) : metadata, {})
        assert.notInclude(String(connection), Redacted.value(connection.authTokenHash!))
      }))

    test("hashes a given token, defaults a receiver to active and keeps the metadata", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const { connection, authToken } = yield* connections.create({
          name: "From: Remote",
          direction: "receiver",
          siteUrl: "https://remote.example.com",
          authToken: Redacted.make("test-token-123"),
          metadata: { registered_via: "api" }
        })
        assert.strictEqual(Redacted.value(authToken), "test-token-123")
        assert.strictEqual(connection.status, "active")
        assert.deepStrictEqual(connection.metadata, { registered_via: "api" })
        assert.strictEqual(
          Redacted.value(connection.authTokenHash!),
          "19b6b086eebb807f54e6327309dec0ff347a6c3c30bf3bb396f167513eba3475"
        )
        assert.deepStrictEqual(yield* connections.get(connection.uuid), connection)
      }))

    test("writes nothing when the input is refused", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const refuse = (input: Parameters<typeof connections.create>[0]) =>
          Effect.map(Effect.flip(connections.create(input)), (error) => error._tag)
        const base = { name: "Remote", direction: "sender", siteUrl: "https://remote.example.com" } as const

        assert.strictEqual(yield* refuse({ ...base, siteUrl: "ftp://remote.example.com" }), "InvalidSiteUrl")
        assert.strictEqual(yield* refuse({ ...base, siteUrl: "http://127.0.0.1:4000" }), "InvalidSiteUrl")
        assert.strictEqual(yield* refuse({ ...base, siteUrl: "http://localhost:4000" }), "InvalidSiteUrl")
        assert.strictEqual(yield* refuse({ ...base, siteUrl: SELF }), "SelfConnection")
        assert.strictEqual(
          yield* refuse({ ...base, siteUrl: "HTTPS://Self.Example.com:443/other/path/" }),
          "SelfConnection"
        )
        assert.strictEqual(yield* refuse({ ...base, name: "  " }), "InvalidInput")
        assert.strictEqual(yield* refuse({ ...base, authToken: Redacted.make("") }), "InvalidInput")
        assert.deepStrictEqual(yield* connections.list(), [])

        // another port is another site; receivers are never self-checked (B §1.7)
        yield* connections.create({ ...base, siteUrl: "https://self.example.com:8443" })
        yield* connections.create({ ...base, direction: "receiver", siteUrl: SELF })
        assert.strictEqual((yield* connections.list()).length, 2)
      }))

    test("refuses a second (site_url, direction); for a receiver, trailing slashes aside (SiteUrl.sameSite)", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        yield* sender("https://a.example.com")
        const error = yield* Effect.flip(sender("https://a.example.com"))
        assert.strictEqual(error._tag, "DuplicateConnection")
        assert.deepStrictEqual(
          (yield* connections.list()).map((c) => c.siteUrl),
          ["https://a.example.com"]
        )
        yield* sender("https://A.example.com")
        const receiver = (siteUrl: string) => connections.create({ name: "R", direction: "receiver", siteUrl })
        yield* receiver("https://r.example.com/sub/")
        for (const same of ["https://r.example.com/sub", "https://r.example.com/sub//"]) {
          assert.strictEqual((yield* Effect.flip(receiver(same)))._tag, "DuplicateConnection", same)
        }
        yield* receiver("https://q.example.com")
        assert.strictEqual((yield* Effect.flip(receiver("https://q.example.com/")))._tag, "DuplicateConnection")
        // stored as given: the sync API compares a sender's URL exactly
        assert.isTrue(Option.isSome(yield* connections.findReceiverBySite("https://r.example.com/sub/")))
        assert.isTrue(Option.isNone(yield* connections.findReceiverBySite("https://r.example.com/sub")))
        assert.strictEqual((yield* connections.list()).length, 4)
      }))

    test("refuses a token already held by a connection of the same direction (B §7.21 fixed)", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const authToken = Redacted.make("my-secret-token")
        yield* sender("https://a.example.com", { authToken })
        const error = yield* Effect.flip(sender("https://b.example.com", { authToken }))
        assert.strictEqual(error._tag, "DuplicateToken")
        assert.notInclude(`${error.message} ${JSON.stringify(error)}`, "my-secret-token")
        assert.notInclude(`${error.message} ${JSON.stringify(error)}`, "ea5add57")
        assert.strictEqual((yield* connections.list()).length, 1)
        // a self-loop holds the same token on both sides
        yield* connections.create({ name: "R", direction: "receiver", siteUrl: "https://a.example.com", authToken })
        assert.strictEqual((yield* connections.list()).length, 2)
      }))

    it.scoped("lets internal site URLs through when ALLOW_INTERNAL_URLS is set", () =>
      Effect.gen(function* () {
        const { connection } = yield* Effect.flatMap(Connections, (connections) =>
          connections.create({ name: "Local", direction: "sender", siteUrl: "http://127.0.0.1:4001" })
        )
        assert.strictEqual(connection.siteUrl, "http://127.0.0.1:4001")
      }).pipe(Effect.provide(layer({ ALLOW_INTERNAL_URLS: "true" })))
    )
  })

  describe("Connections reads", () => {
    test("list filters and orders by inserted_at then uuid", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const a = yield* sender("https://a.example.com")
        const b = yield* sender("https://b.example.com")
        yield* advance(1)
        const c = (yield* connections.create({ name: "C", direction: "receiver", siteUrl: "https://c.example.com" }))
          .connection
        const d = yield* sender("https://d.example.com", { status: "active" })
        const uuids = (rows: ReadonlyArray<Connection>) => rows.map((row) => row.uuid)

        assert.deepStrictEqual(uuids(yield* connections.list()), [a.uuid, b.uuid, c.uuid, d.uuid])
        assert.deepStrictEqual(uuids(yield* connections.list({ direction: "sender" })), [a.uuid, b.uuid, d.uuid])
        assert.deepStrictEqual(uuids(yield* connections.list({ status: "active" })), [c.uuid, d.uuid])
        assert.deepStrictEqual(uuids(yield* connections.list({ direction: "sender", status: "active" })), [d.uuid])
      }))

    test("get and getMany: malformed is InvalidInput, unknown is ConnectionNotFound", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const a = yield* sender("https://a.example.com")
        const b = yield* sender("https://b.example.com")
        const unknown = "01900000-0000-7000-8000-000000000000"

        assert.strictEqual((yield* connections.get(a.uuid.toUpperCase())).uuid, a.uuid)
        assert.deepInclude(yield* Effect.flip(connections.get("nope")), { _tag: "InvalidInput", field: "uuid" })
        assert.deepInclude(yield* Effect.flip(connections.get(unknown)), { _tag: "ConnectionNotFound", uuid: unknown })

        const many = yield* connections.getMany([b.uuid, a.uuid, b.uuid])
        assert.deepStrictEqual(
          many.map((c) => c.uuid),
          [b.uuid, a.uuid]
        )
        assert.deepStrictEqual(yield* connections.getMany([]), [])
        assert.deepInclude(yield* Effect.flip(connections.getMany([a.uuid, unknown])), {
          _tag: "ConnectionNotFound",
          uuid: unknown
        })
        assert.deepInclude(yield* Effect.flip(connections.getMany([a.uuid, "x"])), { _tag: "InvalidInput" })
      }))

    it.scoped(
      "getMany: MAX_UUIDS ids pass (duplicates counted), one more is InvalidInput; lists past the IN chunk",
      () =>
        Effect.gen(function* () {
          const connections = yield* Connections
          const created = yield* Effect.forEach(Array.from({ length: 3 }), (_, i) =>
            connections.create({ name: `s${i}`, direction: "sender", siteUrl: `https://s${i}.example.com` })
          )
          const uuids = created.map((c) => c.connection.uuid as string)
          const atCap = [uuids[0]!, uuids[1]!, uuids[0]!, uuids[2]!]
          assert.deepStrictEqual(
            (yield* connections.getMany(atCap)).map((c) => c.uuid),
            uuids
          )
          const error = yield* Effect.flip(connections.getMany([...atCap, uuids[1]!]))
          assert.deepInclude(error, { _tag: "InvalidInput", field: "uuids" })
          assert.include(error.message, "at most 4")
        }).pipe(Effect.provide(layer({ MAX_UUIDS: "4" })))
    )

    it.scoped("getMany: 1,000 ids by default, read in chunks, each known one found once", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const one = yield* connections.create({ name: "a", direction: "sender", siteUrl: "https://a.example.com" })
        const unknown = Array.from({ length: 999 }, (_, i) => `01900000-0000-7000-8000-${String(i).padStart(12, "0")}`)
        const missing = yield* Effect.flip(connections.getMany([one.connection.uuid, ...unknown]))
        assert.deepInclude(missing, { _tag: "ConnectionNotFound", uuid: unknown[0] })
        const tooMany = yield* Effect.flip(connections.getMany([one.connection.uuid, ...unknown, unknown[0]!]))
        assert.deepInclude(tooMany, { _tag: "InvalidInput", field: "uuids" })
        const repeated = yield* connections.getMany(Array.from({ length: 1000 }, () => one.connection.uuid))
        assert.lengthOf(repeated, 1)
      }).pipe(Effect.provide(layer()))
    )

    test("hash lookups compare exactly: sender-only, site+hash any direction, receiver by site", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const authToken = Redacted.make("test-token-123")
        const hash = Redacted.make("19b6b086eebb807f54e6327309dec0ff347a6c3c30bf3bb396f167513eba3475")
        const upper = Redacted.make(Redacted.value(hash).toUpperCase())
        const site = "https://peer.example.com"

        const receiver = (yield* connections.create({ name: "R", direction: "receiver", siteUrl: site, authToken }))
          .connection
        assert.isTrue(Option.isNone(yield* connections.findSenderByHash(hash))) // case 38
        assert.deepStrictEqual(yield* connections.findBySiteAndHash(site, hash), Option.some(receiver)) // case 27
        assert.isTrue(Option.isNone(yield* connections.findBySiteAndHash(`${site}/`, hash))) // case 28
        assert.isTrue(Option.isNone(yield* connections.findBySiteAndHash(site, upper)))
        assert.deepStrictEqual(yield* connections.findReceiverBySite(site), Option.some(receiver))
        assert.isTrue(Option.isNone(yield* connections.findReceiverBySite(`${site}/`)))

        yield* advance(1)
        const loop = yield* sender(site, { authToken })
        assert.deepStrictEqual(yield* connections.findSenderByHash(hash), Option.some(loop))
        assert.isTrue(Option.isNone(yield* connections.findSenderByHash(upper)))
        // self-loop: both directions match, the first inserted wins
        assert.deepStrictEqual(yield* connections.findBySiteAndHash(site, hash), Option.some(receiver))
      }))
  })

  describe("Connections status writes", () => {
    test("updateStatus writes the timestamps and reasons of B §1.2 T3, T5, T6, T7", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const { uuid } = yield* sender()

        yield* advance(10)
        const approved = yield* connections.updateStatus(uuid, "active") // T3
        assert.strictEqual(approved.status, "active")
        assert.strictEqual(iso(approved.approvedAt), "2026-05-13T10:00:10Z")
        assert.strictEqual(iso(approved.updatedAt), "2026-05-13T10:00:10Z")

        yield* advance(10)
        const suspended = yield* connections.updateStatus(uuid, "suspended", "maintenance") // T5
        assert.strictEqual(iso(suspended.suspendedAt), "2026-05-13T10:00:20Z")
        assert.strictEqual(suspended.suspendedReason, "maintenance")
        assert.isNull((yield* connections.updateStatus(uuid, "suspended")).suspendedReason)

        yield* advance(10)
        const reactivated = yield* connections.updateStatus(uuid, "active") // T6
        assert.isNull(reactivated.suspendedAt)
        assert.isNull(reactivated.suspendedReason)
        assert.strictEqual(iso(reactivated.approvedAt), "2026-05-13T10:00:10Z")

        yield* advance(10)
        const revoked = yield* connections.updateStatus(uuid, "revoked") // T7
        assert.strictEqual(iso(revoked.revokedAt), "2026-05-13T10:00:40Z")
        assert.strictEqual(revoked.revokedReason, REVOKED_REASON)
        assert.strictEqual(
          (yield* connections.updateStatus(uuid, "revoked", "compromised")).revokedReason,
          "compromised"
        )

        // any transition is allowed (B §7.24); pending and expired touch only the status
        yield* advance(10)
        const expired = yield* connections.updateStatus(uuid, "expired")
        assert.strictEqual(expired.status, "expired")
        assert.deepStrictEqual(
          [iso(expired.approvedAt), iso(expired.revokedAt), expired.revokedReason, iso(expired.updatedAt)],
          ["2026-05-13T10:00:10Z", "2026-05-13T10:00:40Z", "compromised", "2026-05-13T10:00:50Z"]
        )
        assert.strictEqual((yield* connections.updateStatus(uuid, "pending")).status, "pending")

        assert.deepInclude(
          yield* Effect.flip(connections.updateStatus("01900000-0000-7000-8000-000000000000", "active")),
          {
            _tag: "ConnectionNotFound"
          }
        )
        assert.deepInclude(yield* Effect.flip(connections.updateStatus("x", "active")), { _tag: "InvalidInput" })
      }))

    test("rename writes the name and updated_at only, publishes the change, and refuses a bad name", () =>
      Effect.gen(function* () {
        const { connections, changes, uuid } = yield* watchedActive

        yield* advance(5)
        const renamed = yield* connections.rename(uuid, "Corner shop")
        assert.strictEqual(renamed.name, "Corner shop")
        assert.strictEqual(renamed.status, "active")
        assert.strictEqual(iso(renamed.updatedAt), "2026-05-13T10:00:05Z")
        const [change] = yield* Queue.takeAll(changes)
        assert.strictEqual(change?.kind, "updated")
        assert.strictEqual(change?.connection?.name, "Corner shop")

        for (const name of ["", "x".repeat(201)])
          assert.deepInclude(yield* Effect.flip(connections.rename(uuid, name)), {
            _tag: "InvalidInput",
            field: "name"
          })
        assert.strictEqual((yield* connections.get(uuid)).name, "Corner shop")
        assert.deepInclude(yield* Effect.flip(connections.rename("01900000-0000-7000-8000-000000000000", "Nobody")), {
          _tag: "ConnectionNotFound"
        })
      }))

    test("reactivation clears the suspending actor", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const sql = yield* SqlClient.SqlClient
        const { uuid } = yield* sender()
        yield* connections.updateStatus(uuid, "suspended")
        yield* sql`UPDATE connections SET suspended_by_uuid = 'admin' WHERE uuid = ${uuid}`
        yield* connections.updateStatus(uuid, "active")
        assert.isNull((yield* rawRow(uuid))?.["suspended_by_uuid"])
      }))

    test("setStatusFromRemote changes only the status, and nothing when it is already that (case 32, T8)", () =>
      Effect.gen(function* () {
        const { connections, changes, uuid } = yield* watchedActive

        yield* advance(5)
        const suspended = yield* connections.setStatusFromRemote(uuid, "suspended")
        assert.strictEqual(suspended.status, "suspended")
        assert.isNull(suspended.suspendedAt)
        assert.isNull(suspended.suspendedReason)
        assert.strictEqual(iso(suspended.updatedAt), "2026-05-13T10:00:05Z")

        yield* advance(5)
        const again = yield* connections.setStatusFromRemote(uuid, "suspended")
        assert.strictEqual(iso(again.updatedAt), "2026-05-13T10:00:05Z")
        const revoked = yield* connections.setStatusFromRemote(uuid, "revoked")
        assert.isNull(revoked.revokedAt)
        assert.isNull(revoked.revokedReason)

        const published = yield* Queue.takeAll(changes)
        assert.deepStrictEqual(
          [...published].map((change) => change.connection?.status),
          ["suspended", "revoked"]
        )
        const unknown = "01900000-0000-7000-8000-000000000000" as ConnectionUuid
        assert.deepInclude(yield* Effect.flip(connections.setStatusFromRemote(unknown, "active")), {
          _tag: "ConnectionNotFound"
        })
      }))

    test("autoActivate turns only a pending row active and merges its metadata keys (T4, case 36-37)", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const changes = yield* connections.subscribe
        const pending = yield* sender("https://a.example.com", { metadata: { keep: "me" } })
        const suspended = yield* sender("https://b.example.com", { status: "suspended" })
        yield* Queue.takeAll(changes)

        yield* advance(3)
        const activated = yield* connections.autoActivate(pending.uuid)
        assert.strictEqual(activated.status, "active")
        assert.strictEqual(iso(activated.approvedAt), "2026-05-13T10:00:03Z")
        assert.deepStrictEqual(activated.metadata, {
          keep: "me",
          auto_activated: true,
          auto_activated_at: "2026-05-13T10:00:03Z",
          auto_activated_reason: "receiver queried connection status"
        })

        yield* advance(3)
        assert.deepStrictEqual(yield* connections.autoActivate(pending.uuid), activated)
        assert.deepStrictEqual(yield* connections.autoActivate(suspended.uuid), suspended)
        assert.strictEqual((yield* Queue.takeAll(changes)).length, 1)
      }))

    test("recordRemoteNotification replaces remote_notification and keeps keys written meanwhile (B §7.17 fixed)", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const created = yield* sender("https://a.example.com", { metadata: { note: "x" } })
        const first = yield* connections.recordRemoteNotification(
          created.uuid,
          new RemoteNotification({ ...notification(false), http_status: 503 })
        )
        assert.strictEqual(first.remoteNotified, false)

        // the remote's status query auto-activates the row between the register call and its result
        yield* connections.autoActivate(created.uuid)
        const recorded = yield* connections.recordRemoteNotification(
          created.uuid,
          new RemoteNotification({ ...notification(true), remote_connection_uuid: "r-1" })
        )
        assert.strictEqual(recorded.status, "active")
        assert.isTrue(recorded.remoteNotified)
        assert.deepStrictEqual(recorded.metadata["remote_notification"], {
          ...notification(true),
          remote_connection_uuid: "r-1"
        })
        assert.strictEqual(recorded.metadata["auto_activated"], true)
        assert.strictEqual(recorded.metadata["note"], "x")
      }))
  })

  describe("the actor of a status change", () => {
    test("is recorded: the admin, the remote site, or the severed rule; none at creation", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const { uuid } = yield* sender()
        assert.isNull((yield* connections.get(uuid)).statusChangedBy)
        assert.strictEqual((yield* connections.autoActivate(uuid)).statusChangedBy, "remote")
        assert.strictEqual((yield* connections.updateStatus(uuid, "suspended", "maintenance")).statusChangedBy, "admin")
        assert.strictEqual((yield* connections.setStatusFromRemote(uuid, "active")).statusChangedBy, "remote")
        const severed = yield* connections.suspendSevered(uuid)
        assert.strictEqual(Option.getOrThrow(severed).statusChangedBy, "severed")
        assert.strictEqual((yield* connections.updateStatus(uuid, "revoked")).statusChangedBy, "admin")
        assert.strictEqual((yield* rawRow(uuid))?.["status_changed_by"], "admin")
      }))
  })

  describe("Verification eligibility and the severed rule", () => {
    test("eligible: active, pending and suspended senders whose registration succeeded (case 58)", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        for (const status of ["active", "pending", "suspended"] as const) {
          const { uuid } = yield* sender(`https://${status}.example.com`, { status })
          const connection = yield* connections.recordRemoteNotification(
            uuid,
            new RemoteNotification(notification(true))
          )
          assert.isTrue(isVerifiable(connection), status)
        }
      }))

    test("not eligible: revoked, expired, failed, missing or string-typed success, receivers (case 59)", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const success = { remote_notification: notification(true) }
        const cases = [
          sender("https://revoked.example.com", { status: "revoked", metadata: success }),
          sender("https://expired.example.com", { status: "expired", metadata: success }),
          sender("https://failed.example.com", {
            status: "active",
            metadata: { remote_notification: notification(false) }
          }),
          sender("https://none.example.com", { status: "active" }),
          sender("https://string.example.com", {
            status: "active",
            metadata: { remote_notification: { ...notification(true), notification_success: "true" } }
          }),
          Effect.map(
            connections.create({
              name: "R",
              direction: "receiver",
              siteUrl: "https://r.example.com",
              metadata: success
            }),
            (_) => _.connection
          )
        ]
        for (const make of cases) {
          const connection = yield* make
          assert.isFalse(isVerifiable(yield* connections.get(connection.uuid)), connection.siteUrl)
        }
      }))

    test("a uuid that no longer exists: nothing (case 61)", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const changes = yield* connections.subscribe
        const { uuid } = yield* sender()
        yield* connections.delete(uuid)
        yield* Queue.takeAll(changes)
        assert.isTrue(Option.isNone(yield* connections.suspendSevered(uuid)))
        assert.deepStrictEqual(yield* connections.list(), [])
        assert.isTrue(yield* Queue.isEmpty(changes))
      }))

    test("an already suspended, revoked or expired row is left as it is (case 62, A4)", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const changes = yield* connections.subscribe
        const { uuid } = yield* sender("https://s.example.com", { status: "active" })
        const suspended = yield* connections.updateStatus(uuid, "suspended", "by admin")
        const revoked = yield* connections.updateStatus((yield* sender("https://r.example.com")).uuid, "revoked")
        const expired = yield* connections.updateStatus((yield* sender("https://e.example.com")).uuid, "expired")
        yield* Queue.takeAll(changes)

        yield* advance(60)
        for (const row of [suspended, revoked, expired]) {
          assert.isTrue(Option.isNone(yield* connections.suspendSevered(row.uuid)))
          assert.deepStrictEqual(yield* connections.get(row.uuid), row)
        }
        assert.isTrue(yield* Queue.isEmpty(changes))
      }))

    test("an active row becomes suspended with the severed reason at now, actor untouched (case 63)", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const sql = yield* SqlClient.SqlClient
        const { uuid } = yield* sender("https://a.example.com", { status: "active" })
        yield* sql`UPDATE connections SET suspended_by_uuid = 'admin' WHERE uuid = ${uuid}`
        const pending = yield* sender("https://p.example.com")

        yield* advance(90)
        const now = formatIsoSeconds(yield* DateTime.now)
        const suspended = Option.getOrThrow(yield* connections.suspendSevered(uuid))
        assert.strictEqual(suspended.status, "suspended")
        assert.strictEqual(suspended.suspendedReason, SEVERED_REASON)
        assert.strictEqual(iso(suspended.suspendedAt), now)
        assert.strictEqual(now, "2026-05-13T10:01:30Z")
        assert.strictEqual((yield* rawRow(uuid))?.["suspended_by_uuid"], "admin")
        assert.strictEqual(Option.getOrThrow(yield* connections.suspendSevered(pending.uuid)).status, "suspended")
      }))

    test("two concurrent severs of one row write and publish once", () =>
      Effect.gen(function* () {
        const { connections, changes, uuid } = yield* watchedActive

        const results = yield* Effect.all([connections.suspendSevered(uuid), connections.suspendSevered(uuid)], {
          concurrency: "unbounded"
        })
        assert.strictEqual(results.filter(Option.isSome).length, 1)
        const published = yield* Queue.takeAll(changes)
        assert.strictEqual(published.length, 1)
      }))
  })

  describe("Connections.changes", () => {
    test("publishes one change per write, after it, with the right kind", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const changes = yield* connections.subscribe
        const kinds = Effect.map(Queue.takeAll(changes), (chunk) =>
          [...chunk].map((change) => [change.kind, change.connection?.status ?? null])
        )

        const { uuid } = yield* sender("https://a.example.com", { status: "active" })
        assert.deepStrictEqual(yield* kinds, [["created", "active"]])
        const created = yield* connections.get(uuid)
        yield* connections.updateStatus(uuid, "suspended")
        assert.deepStrictEqual(yield* kinds, [["updated", "suspended"]])
        yield* connections.updateStatus(uuid, "active")
        yield* connections.suspendSevered(uuid)
        assert.deepStrictEqual(yield* kinds, [
          ["updated", "active"],
          ["updated", "suspended"]
        ])
        yield* connections.recordRemoteNotification(uuid, new RemoteNotification(notification(true)))
        yield* connections.setStatusFromRemote(uuid, "active")
        assert.deepStrictEqual(yield* kinds, [
          ["updated", "suspended"],
          ["updated", "active"]
        ])
        const deleted = yield* connections.delete(uuid)
        assert.deepStrictEqual(yield* kinds, [["deleted", null]])
        assert.strictEqual(deleted.uuid, created.uuid)
        assert.deepInclude(yield* Effect.flip(connections.delete(uuid)), { _tag: "ConnectionNotFound" })

        // refused writes publish nothing
        yield* Effect.flip(sender(SELF))
        yield* sender("https://b.example.com")
        yield* Effect.flip(sender("https://b.example.com"))
        assert.strictEqual((yield* kinds).length, 1)
      }))

    test("every subscriber of the stream gets every change made after it subscribed", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const probe = yield* sender("https://probe.example.com")
        const consume = Effect.gen(function* () {
          const ready = yield* Deferred.make<void>()
          const fiber = yield* connections.changes.pipe(
            Stream.tap(() => Deferred.succeed(ready, undefined)),
            Stream.filter((change) => change.connectionUuid !== probe.uuid),
            Stream.take(3),
            Stream.runCollect,
            Effect.fork
          )
          return { ready, fiber }
        })
        const consumers = [yield* consume, yield* consume]
        // a subscriber is surely subscribed once it has seen a change: write probes until both have
        while (!(yield* Effect.every(consumers, ({ ready }) => Deferred.isDone(ready)))) {
          yield* connections.updateStatus(probe.uuid, "active")
          yield* Effect.yieldNow()
        }

        const { uuid } = yield* sender("https://a.example.com")
        yield* connections.updateStatus(uuid, "active")
        yield* connections.delete(uuid)

        for (const { fiber } of consumers) {
          const received = [...(yield* Fiber.join(fiber))]
          assert.deepStrictEqual(
            received.map((change) => [change.kind, change.connectionUuid]),
            [
              ["created", uuid],
              ["updated", uuid],
              ["deleted", uuid]
            ]
          )
          assert.strictEqual(received[1]?.connection?.status, "active")
          assert.isNull(received[2]?.connection)
        }
      }))
  })

  describe("listing", () => {
    // list decodes rows without Schema (the status rounds' hot path): it must read exactly what get reads
    test("list reads every field exactly as get does, set or null", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const plain = yield* sender("https://plain.example.com")
        const changed = yield* sender("https://changed.example.com", {
          metadata: { remote_notification: notification(true) }
        })
        yield* connections.updateStatus(changed.uuid, "active")
        yield* connections.updateStatus(changed.uuid, "suspended", "maintenance")
        yield* connections.updateStatus(changed.uuid, "revoked", "gone")
        const listed = yield* connections.list()
        assert.deepStrictEqual(listed, [yield* connections.get(plain.uuid), yield* connections.get(changed.uuid)])
        assert.isNotNull(listed[1]!.revokedAt)
      }))

    test("a row that breaks the schema is a defect, not a connection", () =>
      Effect.gen(function* () {
        const connections = yield* Connections
        const sql = yield* SqlClient.SqlClient
        const { uuid } = yield* sender()
        yield* sql`UPDATE connections SET updated_at = 'yesterday' WHERE uuid = ${uuid}`
        const exit = yield* Effect.exit(connections.list())
        assert.isTrue(exit._tag === "Failure" && exit.cause._tag === "Die")
      }))
  })
})
