import { assert, describe, it } from "@effect/vitest"
import {
  type Change,
  DAY,
  matches,
  newer,
  outcomeCounts,
  outcomeOf,
  placeOf,
  type Row,
  segments
} from "../../ui/src/Model.js"

// the status page's pure parts: the 24 h timeline, where a row from a feed goes, the counts

const NOW = Date.parse("2026-11-26T12:00:00Z")
const at = (hoursAgo: number) => new Date(NOW - hoursAgo * 3600_000).toISOString()
const change = (hoursAgo: number, from: string | null, to: string): Change => ({
  at: at(hoursAgo),
  from,
  to,
  reason: null
})

const row = (name: string, direction: Row["direction"], outcome: string | null): Row => ({
  uuid: name,
  name,
  direction,
  siteUrl: "http://127.0.0.1:1",
  status: "ACTIVE",
  suspendedReason: null,
  last: outcome === null ? null : { outcome, reason: null, checkedAt: at(0), durationMs: 3 },
  history: []
})

describe("the timeline", () => {
  it("spans the last 24 h, unknown before the first check, one span per outcome (history newest first)", () => {
    const spans = segments([change(2, "ACTIVE", "OFFLINE"), change(10, null, "ACTIVE")], NOW)
    assert.deepStrictEqual(spans, [
      { from: NOW - DAY, to: NOW - 10 * 3600_000, outcome: null },
      { from: NOW - 10 * 3600_000, to: NOW - 2 * 3600_000, outcome: "ACTIVE" },
      { from: NOW - 2 * 3600_000, to: NOW, outcome: "OFFLINE" }
    ])
  })

  it("starts with the outcome a change older than the window left", () => {
    const spans = segments(
      [change(5, "OFFLINE", "ACTIVE"), change(30, "ACTIVE", "OFFLINE"), change(40, null, "ACTIVE")],
      NOW
    )
    assert.deepStrictEqual(spans, [
      { from: NOW - DAY, to: NOW - 5 * 3600_000, outcome: "OFFLINE" },
      { from: NOW - 5 * 3600_000, to: NOW, outcome: "ACTIVE" }
    ])
    assert.deepStrictEqual(segments([], NOW), [{ from: NOW - DAY, to: NOW, outcome: null }])
  })
})

describe("a row from a feed, and the counts", () => {
  const rows = [
    row("Alpha shop", "RECEIVER", "ACTIVE"),
    row("Bravo shop", "RECEIVER", "OFFLINE"),
    row("Charlie", "SENDER", "EXISTS"),
    row("Delta", "SENDER", null)
  ]
  const names = (filtered: ReadonlyArray<Row>) => filtered.map((r) => r.name)

  // the API filters the table's rows (test/Connections/Page.test.ts); a row a feed brings is matched here
  it("matches the table's filter by direction, outcome and a part of the name or URL (any case), together", () => {
    const visible = (filters: Parameters<typeof matches>[1]) => rows.filter((r) => matches(r, filters))
    assert.deepStrictEqual(names(visible({ direction: "SENDER", outcome: "", name: "" })), ["Charlie", "Delta"])
    assert.deepStrictEqual(names(visible({ direction: "", outcome: "OFFLINE", name: "" })), ["Bravo shop"])
    assert.deepStrictEqual(names(visible({ direction: "", outcome: "", name: " SHOP" })), ["Alpha shop", "Bravo shop"])
    assert.deepStrictEqual(names(visible({ direction: "", outcome: "", name: "127.0.0.1" })), names(rows))
    assert.deepStrictEqual(names(visible({ direction: "SENDER", outcome: "", name: "shop" })), [])
    assert.deepStrictEqual(names(visible({ direction: "", outcome: "NOT_CHECKED", name: "" })), ["Delta"])
    assert.strictEqual(outcomeOf(rows[3]!), "NOT_CHECKED")
  })

  it("places a row in the table's order: by name, then uuid", () => {
    const order = [
      { name: "Alpha", uuid: "2" },
      { name: "Bravo", uuid: "1" },
      { name: "Bravo", uuid: "3" }
    ]
    assert.strictEqual(placeOf(order, { name: "Aaron", uuid: "9" }), 0)
    assert.strictEqual(placeOf(order, { name: "Bravo", uuid: "2" }), 2)
    assert.strictEqual(placeOf(order, { name: "Charlie", uuid: "0" }), 3)
    assert.strictEqual(placeOf([], { name: "Any", uuid: "0" }), 0)
  })

  it("sums the registry's counts per outcome, whatever the direction and status", () => {
    assert.deepStrictEqual(
      outcomeCounts([
        { outcome: "OFFLINE", count: 2 },
        { outcome: "ACTIVE", count: 1 },
        { outcome: "NOT_CHECKED", count: 1 },
        { outcome: "OFFLINE", count: 3 }
      ]),
      [
        ["ACTIVE", 1],
        ["NOT_CHECKED", 1],
        ["OFFLINE", 5]
      ]
    )
  })

  it("a snapshot never replaces a newer result that arrived on the stream", () => {
    const older = { outcome: "ACTIVE", reason: null, checkedAt: at(1), durationMs: 2 }
    const recent = { outcome: "OFFLINE", reason: "refused", checkedAt: at(0), durationMs: 1 }
    assert.strictEqual(newer(older, recent), recent)
    assert.strictEqual(newer(recent, older), recent)
    assert.strictEqual(newer(null, older), older)
  })
})
