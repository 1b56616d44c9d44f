import { assert, describe, it } from "@effect/vitest"
import { DateTime } from "effect"
import * as View from "../../src/Connections/View.js"
import type { Connection, ConnectionStatus, ConnectionUuid } from "../../src/Domain/Connection.js"
import { type ChangeKind, ConnectionChange } from "../../src/Domain/Events.js"
import { connection } from "../Peer/fixtures.js"

const UUID = "01900000-0000-7000-8000-000000000001" as ConnectionUuid
const OTHER = "01900000-0000-7000-8000-000000000002" as ConnectionUuid

const row = (status: ConnectionStatus, updatedAt = "2026-05-13T10:00:00Z", uuid = UUID) =>
  connection({ uuid, direction: "sender", status, updatedAt: DateTime.unsafeMake(updatedAt) })

const change = (kind: ChangeKind, subject: Connection) =>
  new ConnectionChange({ kind, connectionUuid: subject.uuid, connection: kind === "deleted" ? null : subject })

const kindOf = (found: ConnectionChange | undefined) => found?.kind

describe("the view of what the subscribers were told", () => {
  it("tells a row it never saw, a newer one, one changed in the same second, and nothing else", () => {
    const view = View.make()
    view.record(change("created", row("pending")))
    const mark = view.begin()
    assert.strictEqual(kindOf(view.compare(mark, row("pending"))), undefined)
    assert.strictEqual(kindOf(view.compare(mark, row("pending", "2026-05-13T10:00:01Z"))), "updated")
    assert.strictEqual(kindOf(view.compare(mark, row("active"))), "updated")
    assert.strictEqual(kindOf(view.compare(mark, row("active", undefined, OTHER))), "created")
    assert.deepStrictEqual(view.gone(mark, new Set([UUID])), [])
    assert.deepStrictEqual(
      view.gone(mark, new Set()).map((found) => [found.kind, found.connectionUuid, found.connection]),
      [["deleted", UUID, null]]
    )
  })

  it("a change published after the read began is not undone by the read's older copy", () => {
    const view = View.make()
    view.record(change("created", row("pending")))
    const mark = view.begin()
    view.record(change("updated", row("active")))
    assert.strictEqual(kindOf(view.compare(mark, row("pending"))), undefined)
  })

  it("a row deleted after the read began is not brought back, one created then is not gone", () => {
    const view = View.make()
    view.record(change("created", row("pending")))
    const mark = view.begin()
    view.record(change("deleted", row("pending")))
    view.record(change("created", row("active", undefined, OTHER)))
    assert.strictEqual(kindOf(view.compare(mark, row("pending"))), undefined)
    assert.deepStrictEqual(view.gone(mark, new Set([UUID])), [])
    view.end()
    // the next read starts from what was published: the row is gone, the other known
    const next = view.begin()
    assert.strictEqual(kindOf(view.compare(next, row("active", undefined, OTHER))), undefined)
    assert.deepStrictEqual(view.gone(next, new Set([OTHER])), [])
  })

  it("a row deleted during two overlapping reads stays deleted until the last of them ends", () => {
    const view = View.make()
    view.record(change("created", row("pending")))
    const first = view.begin()
    const second = view.begin()
    view.record(change("deleted", row("pending")))
    view.end()
    assert.strictEqual(kindOf(view.compare(second, row("pending"))), undefined)
    assert.strictEqual(kindOf(view.compare(first, row("pending"))), undefined)
    view.end()
    // no read in flight: the marker is gone, and a read now that finds the row tells it anew
    assert.strictEqual(kindOf(view.compare(view.begin(), row("pending"))), "created")
  })
})
