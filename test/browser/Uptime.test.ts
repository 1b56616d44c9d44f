import { mkdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { graphql, startSite } from "../utils/App.js"
import * as FakeSite from "../utils/FakeSite.js"
import { browser, offlinePage } from "./Chromium.js"

// The uptime column of the status page (ui/src/Uptime.tsx) in Chromium, network closed, against a real
// syncwatch: the 24 h and 30 d figures, the 90-day bar with a day's figures on hover, the maintenance badge.

// every run writes test-results/uptime.png (ignored by git); UPDATE_SCREENSHOTS=1 refreshes docs/uptime.png
const ROOT = join(import.meta.dirname, "..", "..")
const SCREENSHOT =
  process.env["UPDATE_SCREENSHOTS"] === "1"
    ? join(ROOT, "docs", "uptime.png")
    : join(ROOT, "test-results", "uptime.png")
const GUARD = 20_000
const ACTIVE_SENDER = FakeSite.json(200, { success: true, status: "active", name: "remote" })

const gql = (url: string, query: string, variables: Record<string, unknown>) =>
  Effect.map(graphql(url, query, variables), (result) => {
    if (result.errors !== undefined) throw new Error(JSON.stringify(result.errors))
    return result.data!
  })

describe("the status page's uptime column, in Chromium", () => {
  it.live("shows 24 h and 30 d uptime, a 90-day bar whose days tell their figures, and the maintenance badge", () =>
    Effect.gen(function* () {
      const remote = yield* FakeSite.make(ACTIVE_SENDER)
      const site = yield* startSite()
      const uuids: Array<string> = []
      for (const name of ["Alpha shop", "Bravo shop"]) {
        const created = yield* gql(
          site.graphqlUrl,
          `mutation ($input: CreateConnectionInput!) { createConnection(input: $input) { connection { uuid } } }`,
          { input: { name, direction: "RECEIVER", siteUrl: `${remote.url}/${name[0]}` } }
        )
        uuids.push(created["createConnection"]["connection"]["uuid"])
      }
      const [alpha, bravo] = uuids as [string, string]
      yield* gql(site.graphqlUrl, "{ senderStatuses { status } }", {})
      yield* gql(
        site.graphqlUrl,
        `mutation ($input: CreateMaintenanceInput!) { createMaintenance(input: $input) { id } }`,
        {
          input: {
            uuids: [bravo],
            startsAt: new Date(Date.now() - 60_000).toISOString(),
            endsAt: new Date(Date.now() + 3_600_000).toISOString(),
            reason: "migrating the other site"
          }
        }
      )

      const { page, outside, errors } = yield* offlinePage(yield* browser, site.siteUrl)
      yield* Effect.promise(() => page.setViewportSize({ width: 1600, height: 900 }))
      yield* Effect.promise(() => page.goto(`${site.siteUrl}/`))
      const cell = (uuid: string) => page.locator(`[data-uptime="${uuid}"]`)
      yield* Effect.promise(() => cell(alpha).waitFor({ timeout: GUARD }))
      yield* Effect.promise(() => cell(bravo).waitFor({ timeout: GUARD }))

      assert.strictEqual(yield* Effect.promise(() => cell(alpha).locator("rect").count()), 90, "a 90-day bar")
      assert.strictEqual(yield* Effect.promise(() => cell(alpha).locator('[data-window="day"]').textContent()), "100%")
      assert.strictEqual(
        yield* Effect.promise(() => cell(alpha).locator('[data-window="month"]').textContent()),
        "100%"
      )
      assert.strictEqual(yield* Effect.promise(() => cell(alpha).locator("[data-maintenance]").count()), 0)
      const badge = cell(bravo).locator("[data-maintenance]")
      assert.strictEqual(yield* Effect.promise(() => badge.textContent()), "maintenance")
      assert.include(yield* Effect.promise(() => badge.getAttribute("title")), "migrating the other site")

      // hovering today (the bar's last day) shows its figures; an old day says it had no checks
      const today = new Date().toISOString().slice(0, 10)
      yield* Effect.promise(() => cell(alpha).locator(`rect[data-date="${today}"]`).hover({ timeout: GUARD }))
      assert.match(
        (yield* Effect.promise(() => cell(alpha).locator("[data-hovered]").textContent())) ?? "",
        new RegExp(`^${today}: 100% up, 1 of 1 checks healthy`)
      )
      yield* Effect.promise(() => cell(alpha).locator("rect").first().hover({ timeout: GUARD }))
      assert.match(
        (yield* Effect.promise(() => cell(alpha).locator("[data-hovered]").textContent())) ?? "",
        /^\d{4}-\d\d-\d\d: no checks$/
      )
      yield* Effect.promise(() => cell(alpha).locator(`rect[data-date="${today}"]`).hover({ timeout: GUARD }))
      mkdirSync(dirname(SCREENSHOT), { recursive: true })
      // the page clipped to the table, not the element: an element screenshot scrolls, and the hover is lost
      const box = yield* Effect.promise(() => page.locator("table").boundingBox())
      yield* Effect.promise(() =>
        page.screenshot({ path: SCREENSHOT, fullPage: true, ...(box === null ? {} : { clip: box }) })
      )
      assert.deepStrictEqual(outside, [])
      assert.deepStrictEqual(errors, [])
    }).pipe(Effect.scoped)
  )
})
