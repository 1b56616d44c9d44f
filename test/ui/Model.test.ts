import { assert, describe, it } from "@effect/vitest"
import { type Change, counts, DAY, newer, outcomeOf, type Row, segments, visible } from "../../ui/src/Model.js"

// the status page's pure parts: the 24 h timeline, the filters, the counts

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

describe("filters and counts", () => {
  const rows = [
    row("Alpha shop", "RECEIVER", "ACTIVE"),
    row("Bravo shop", "RECEIVER", "OFFLINE"),
    row("Charlie", "SENDER", "EXISTS"),
    row("Delta", "SENDER", null)
  ]
  const names = (filtered: ReadonlyArray<Row>) => filtered.map((r) => r.name)

  it("filter by direction, outcome and name (case-insensitive), together", () => {
    assert.deepStrictEqual(names(visible(rows, { direction: "SENDER", outcome: "", name: "" })), ["Charlie", "Delta"])
    assert.deepStrictEqual(names(visible(rows, { direction: "", outcome: "OFFLINE", name: "" })), ["Bravo shop"])
    assert.deepStrictEqual(names(visible(rows, { direction: "", outcome: "", name: " SHOP" })), [
      "Alpha shop",
      "Bravo shop"
    ])
    assert.deepStrictEqual(names(visible(rows, { direction: "SENDER", outcome: "", name: "shop" })), [])
    assert.deepStrictEqual(names(visible(rows, { direction: "", outcome: outcomeOf(rows[3]!), name: "" })), ["Delta"])
  })

  it("count each outcome, the unchecked too", () => {
    assert.deepStrictEqual(counts([...rows, row("Echo", "RECEIVER", "OFFLINE")]), [
      ["ACTIVE", 1],
      ["EXISTS", 1],
      ["NOT CHECKED", 1],
      ["OFFLINE", 2]
    ])
  })

  it("a snapshot never replaces a newer result that arrived on the stream", () => {
    const older = { outcome: "ACTIVE", reason: null, checkedAt: at(1), durationMs: 2 }
    const recent = { outcome: "OFFLINE", reason: "refused", checkedAt: at(0), durationMs: 1 }
    assert.strictEqual(newer(older, recent), recent)
    assert.strictEqual(newer(recent, older), recent)
    assert.strictEqual(newer(null, older), older)
  })
})
