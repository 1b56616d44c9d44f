import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Page } from "playwright-core"
import { graphql, startSite } from "../utils/App.js"
import { bulkName, bulkUuid, fill } from "../utils/Bulk.js"
import { sqlAt, tempDir } from "../utils/Db.js"
import { browser, offlinePage } from "./Chromium.js"

// The status page over 100,000 connections (written straight to the store before the server starts): the table
// holds only the rows on screen, reads pages as it is scrolled, and a change pushed for a row deep in the list
// reaches it. How soon the first rows show is bench/scale.ts's figure, not a test's.

const N = 100_000
const GUARD = 120_000

const drawn = (page: Page) => Effect.promise(() => page.locator("tbody tr[data-uuid]").count())

// a row of that index on screen, once the pages up to it are read; scrolled to again as rows are measured
const reach = (page: Page, share: number, index: number) =>
  Effect.promise(() =>
    page.waitForFunction(
      ({ share, uuid }) => {
        window.scrollTo(0, (document.documentElement.scrollHeight - innerHeight) * share)
        return document.querySelector(`tr[data-uuid="${uuid}"]`) !== null
      },
      { share, uuid: bulkUuid(index) },
      { timeout: GUARD, polling: 250 }
    )
  )

describe("the status page with 100,000 connections, in Chromium", () => {
  it.live(
    "draws only the rows on screen, reads the pages scrolled to, down to the last row, and updates a row there",
    () =>
      Effect.gen(function* () {
        const database = join(yield* tempDir, "syncwatch.db")
        // pending senders the remote never confirmed: no round checks them
        yield* fill({
          count: N,
          direction: "sender",
          status: "pending",
          siteUrl: (i) => `http://127.0.0.1:9/${i}`
        }).pipe(Effect.provide(sqlAt(database)))
        const site = yield* startSite({ DATABASE_URL: database })
        const { page, outside, errors } = yield* offlinePage(yield* browser, site.siteUrl)
        yield* Effect.promise(() => page.goto(`${site.siteUrl}/`))
        yield* Effect.promise(() => page.locator(`tr[data-uuid="${bulkUuid(0)}"]`).waitFor({ timeout: GUARD }))
        assert.include((yield* Effect.promise(() => page.locator("caption").textContent())) ?? "", `${N} shown of ${N}`)
        assert.include((yield* Effect.promise(() => page.locator(".counts").textContent())) ?? "", `${N}`)
        const first = yield* drawn(page)
        assert.isAbove(first, 0)
        assert.isBelow(first, 100, "rows in the DOM")

        // the middle, then the end: each read page by page, a screenful drawn
        yield* reach(page, 0.5, N / 2)
        assert.isBelow(yield* drawn(page), 100)
        yield* reach(page, 1, N - 1)
        assert.isBelow(yield* drawn(page), 100)
        assert.strictEqual(yield* Effect.promise(() => page.locator(`tr[data-uuid="${bulkUuid(0)}"]`).count()), 0)
        assert.strictEqual(
          (yield* Effect.promise(() => page.locator(`tr[data-uuid="${bulkUuid(N - 1)}"] .name`).textContent())) ?? "",
          bulkName(N - 1)
        )

        // a change to the last row, pushed on connectionChanged, reaches it where it is
        const renamed = yield* graphql(
          site.graphqlUrl,
          `mutation ($uuid: ID!) { renameConnection(uuid: $uuid, name: "${bulkName(N - 1)} renamed") { name } }`,
          { uuid: bulkUuid(N - 1) }
        )
        assert.isUndefined(renamed.errors)
        yield* Effect.promise(() =>
          page
            .locator(`tr[data-uuid="${bulkUuid(N - 1)}"] .name`)
            .filter({ hasText: "renamed" })
            .waitFor({ timeout: GUARD })
        )
        assert.deepStrictEqual(outside, [])
        assert.deepStrictEqual(errors, [])
      }).pipe(Effect.scoped),
    { timeout: 600_000 }
  )
})
