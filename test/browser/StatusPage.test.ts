import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import type { Page } from "playwright-core"
import { create, createRegisteredSender, graphql, type RunningSite, restartSite, startSite } from "../utils/App.js"
import { tempDir } from "../utils/Db.js"
import * as FakeSite from "../utils/FakeSite.js"
import { browser, offlinePage } from "./Chromium.js"

// The status page (GET /) in Debian's Chromium, network closed, against a real syncwatch and real fake remotes.
// Waits are on the DOM, each bounded by a failure guard; the figures measured are printed.

const GUARD = 20_000
const ADMIN = "a-long-admin-token-for-tests"
const VIEWER = "a-long-viewer-token-for-tests"

const ACTIVE_SENDER = FakeSite.json(200, { success: true, status: "active", name: "remote" })
const row = (page: Page, uuid: string) => page.locator(`tr[data-uuid="${uuid}"]`)
const cell = (page: Page, uuid: string, column: string) => row(page, uuid).locator(`[data-column="${column}"]`)

const waitFor = (page: Page, selector: string) =>
  Effect.promise(() => page.locator(selector).first().waitFor({ timeout: GUARD }))

const text = (page: Page, selector: string) =>
  Effect.promise(async () => (await page.locator(selector).textContent()) ?? "")

// the table reads its rows from the API (the filters are the API's): waits until it shows that many
const rowsShown = (page: Page, count: number) =>
  Effect.promise(() =>
    page.waitForFunction((count) => document.querySelectorAll("tbody tr[data-uuid]").length === count, count, {
      timeout: GUARD
    })
  )

const click = (page: Page, name: string) =>
  Effect.promise(() => page.getByRole("button", { name, exact: true }).click({ timeout: GUARD }))

const connectionStatus = (site: RunningSite, uuid: string, headers: Record<string, string> = {}) =>
  Effect.map(
    graphql(site.graphqlUrl, `query ($uuid: ID!) { connection(uuid: $uuid) { status } }`, { uuid }, headers),
    (result) => result.data?.["connection"]?.["status"] as string
  )

// every request the page made went to the site under test (the page, its assets, the graphql-ws socket)
const onlyLoopback = (site: RunningSite, requested: ReadonlyArray<string>, outside: ReadonlyArray<string>) => {
  assert.deepStrictEqual(outside, [], "requests that left the machine")
  assert.isAbove(requested.length, 0)
  const ws = site.siteUrl.replace(/^http/, "ws")
  assert.deepStrictEqual(
    requested.filter((url) => !url.startsWith(`${site.siteUrl}/`) && !url.startsWith(`${ws}/`)),
    []
  )
  assert.include(requested, `${ws}/graphql`)
}

describe("the status page, in Chromium", () => {
  it.live(
    "renders the connections, turns a remote that went down OFFLINE without a reload, checks now, suspends",
    () =>
      Effect.gen(function* () {
        const remoteScope = yield* Scope.make()
        const falling = yield* FakeSite.make(ACTIVE_SENDER).pipe(Scope.extend(remoteScope))
        let answer = ACTIVE_SENDER
        const changing = yield* FakeSite.make(() => answer)
        const receiving = yield* FakeSite.make(FakeSite.json(200, { success: true, exists: true }))
        // the monitor's rounds bring the remote's fall to the page, through statusChanged
        const site = yield* startSite({ MONITOR_EVERY_SECONDS: "1" })
        const alpha = yield* create(site, { name: "Alpha shop", direction: "RECEIVER", siteUrl: falling.url })
        const bravo = yield* create(site, { name: "Bravo shop", direction: "RECEIVER", siteUrl: changing.url })
        const charlie = yield* createRegisteredSender(site, receiving.url, "Charlie archive")
        const delta = yield* create(site, {
          name: "Delta (pending)",
          direction: "SENDER",
          siteUrl: "http://127.0.0.1:9"
        })

        const { page, outside, requested, errors } = yield* offlinePage(yield* browser, site.siteUrl)
        yield* Effect.promise(() => page.goto(`${site.siteUrl}/`))
        yield* waitFor(page, `tr[data-uuid="${alpha}"][data-outcome="ACTIVE"]`)
        yield* waitFor(page, `tr[data-uuid="${charlie}"][data-outcome="EXISTS"]`)
        for (const uuid of [alpha, bravo, charlie, delta])
          assert.strictEqual(yield* Effect.promise(() => row(page, uuid).count()), 1)
        assert.include(yield* text(page, `tr[data-uuid="${delta}"]`), "not checked yet")
        assert.include(yield* text(page, "[data-link]"), "Live")
        assert.include(yield* text(page, `tr[data-uuid="${alpha}"] th`), "Alpha shop")
        // the duration comes with the check's result, also when its change was pushed first
        yield* Effect.promise(() =>
          cell(page, alpha, "duration")
            .filter({ hasText: /^\d+ ms$/ })
            .waitFor({ timeout: GUARD })
        )

        // the remote goes down; the same page (no reload: the marker survives) shows OFFLINE, spelled out
        yield* Effect.promise(() => page.evaluate(() => Object.assign(window, { sameDocument: true })))
        const fell = Date.now()
        yield* Scope.close(remoteScope, Exit.void)
        yield* waitFor(page, `tr[data-uuid="${alpha}"][data-outcome="OFFLINE"]`)
        const shown = Date.now() - fell
        console.log(`status page: a remote down shown OFFLINE ${shown} ms after it closed (monitor every 1 s)`)
        assert.strictEqual(yield* text(page, `tr[data-uuid="${alpha}"] td[data-column="outcome"]`), "OFFLINE")
        assert.strictEqual(yield* text(page, `tr[data-uuid="${alpha}"] td[data-column="reason"]`), "refused")
        assert.isTrue(yield* Effect.promise(() => page.evaluate(() => "sameDocument" in window)))
        // pushed to the page on its subscriptions: no second snapshot was taken
        assert.strictEqual(yield* Effect.promise(() => page.locator("main").getAttribute("data-snapshots")), "1")
        assert.include(yield* text(page, `tr[data-uuid="${alpha}"] .summary`), "2 changes in 24 h")

        // counts per outcome (the registry's, read again after changes), and the filters
        yield* waitFor(page, `.counts [data-outcome="OFFLINE"]:has-text("1")`)
        yield* Effect.promise(() => page.getByLabel("Outcome", { exact: true }).selectOption("OFFLINE"))
        yield* rowsShown(page, 1)
        assert.strictEqual(yield* Effect.promise(() => row(page, alpha).count()), 1)
        yield* Effect.promise(() => page.getByLabel("Outcome", { exact: true }).selectOption(""))
        yield* rowsShown(page, 4)
        yield* Effect.promise(() => page.getByLabel("Direction", { exact: true }).selectOption("SENDER"))
        yield* rowsShown(page, 2)
        yield* Effect.promise(() => page.getByLabel("Direction", { exact: true }).selectOption(""))
        yield* rowsShown(page, 4)
        yield* Effect.promise(() => page.getByLabel("Name", { exact: true }).fill("bravo"))
        yield* rowsShown(page, 1)
        assert.strictEqual(yield* Effect.promise(() => row(page, bravo).count()), 1)
        yield* Effect.promise(() => page.getByLabel("Name", { exact: true }).fill(""))
        yield* rowsShown(page, 4)

        // "Check now" for one: the remote's new answer reaches the row
        answer = FakeSite.json(200, { success: true, status: "suspended" })
        const before = (yield* changing.requests).length
        yield* click(page, "Check now: Bravo shop")
        yield* waitFor(page, `tr[data-uuid="${bravo}"][data-outcome="SUSPENDED"]`)
        assert.isAbove((yield* changing.requests).length, before)
        yield* waitFor(page, `.notice-info:has-text("Checked Bravo shop")`)
        // and for all
        yield* click(page, "Check all now")
        yield* waitFor(page, `.notice-info:has-text("Checked 3 connections")`)

        // suspend, with a confirmation step, by keyboard
        yield* click(page, "Suspend Charlie archive")
        const confirm = page.getByRole("button", { name: "Yes, suspend" })
        assert.isTrue(yield* Effect.promise(() => confirm.evaluate((button) => button === document.activeElement)))
        yield* Effect.promise(() => page.keyboard.press("Enter"))
        yield* waitFor(page, `tr[data-uuid="${charlie}"] td[data-column="status"]:has-text("SUSPENDED")`)
        assert.strictEqual(yield* connectionStatus(site, charlie), "SUSPENDED")
        yield* click(page, "Activate Charlie archive")
        yield* click(page, "Cancel")
        assert.strictEqual(yield* connectionStatus(site, charlie), "SUSPENDED")

        onlyLoopback(site, requested, outside)
        assert.deepStrictEqual(errors, [])
      }).pipe(Effect.scoped),
    { timeout: 180_000 }
  )

  it.live(
    "says when the link is lost, reconnects by itself after a restart, and follows changes again",
    () =>
      Effect.gen(function* () {
        const remote = yield* FakeSite.make(ACTIVE_SENDER)
        // the database outlives the first server (a site's own temporary directory goes with its scope)
        const database = join(yield* tempDir, "syncwatch.db")
        const first = yield* Scope.make()
        const site = yield* startSite({ DATABASE_URL: database }).pipe(Scope.extend(first))
        const alpha = yield* create(site, { name: "Alpha shop", direction: "RECEIVER", siteUrl: remote.url })
        const { page, outside, requested, errors } = yield* offlinePage(yield* browser, site.siteUrl)
        yield* Effect.promise(() => page.goto(`${site.siteUrl}/`))
        yield* waitFor(page, `tr[data-uuid="${alpha}"][data-outcome="ACTIVE"]`)
        yield* waitFor(page, `main[data-snapshots="1"]`)

        yield* Scope.close(first, Exit.void)
        yield* waitFor(page, `[data-link="reconnecting"]`)
        assert.include(yield* text(page, "[data-link]"), "reconnecting")
        const again = yield* restartSite(site)
        yield* waitFor(page, `[data-link="live"]`)
        yield* waitFor(page, `main[data-snapshots="2"]`)
        // the new socket's subscriptions: a connection created now appears without a reload
        const echo = yield* create(again, { name: "Echo shop", direction: "SENDER", siteUrl: remote.url })
        yield* waitFor(page, `tr[data-uuid="${echo}"]`)
        assert.strictEqual(yield* Effect.promise(() => page.locator("tbody tr[data-uuid]").count()), 2)
        onlyLoopback(site, requested, outside)
        assert.deepStrictEqual(errors, [])
      }).pipe(Effect.scoped),
    { timeout: 180_000 }
  )

  it.live(
    "asks for a token, keeps it for the tab only; a viewer sees no actions, and the API refuses a forced suspend",
    () =>
      Effect.gen(function* () {
        const remote = yield* FakeSite.make(ACTIVE_SENDER)
        const site = yield* startSite({ ADMIN_TOKEN: ADMIN, VIEWER_TOKEN: VIEWER })
        const asAdmin = { authorization: `Bearer ${ADMIN}` }
        const alpha = yield* create(site, { name: "Alpha shop", direction: "RECEIVER", siteUrl: remote.url }, asAdmin)

        const { page, outside, requested, errors } = yield* offlinePage(yield* browser, site.siteUrl)
        yield* Effect.promise(() => page.goto(`${site.siteUrl}/`))
        yield* waitFor(page, `[data-link="needs-token"]`)
        yield* Effect.promise(() => page.getByLabel("Token").fill("not-the-right-token-at-all"))
        yield* Effect.promise(() => page.keyboard.press("Enter"))
        yield* waitFor(page, `[data-link="refused"]`)
        yield* Effect.promise(() => page.getByLabel("Token").fill(VIEWER))
        yield* click(page, "Sign in")
        yield* waitFor(page, `tr[data-uuid="${alpha}"][data-outcome="ACTIVE"]`)
        assert.include(yield* text(page, "[data-role]"), "viewer")
        assert.strictEqual(
          yield* Effect.promise(() =>
            page.getByRole("button", { name: /Suspend|Check|Rename|Delete|Watch a site|Let a site connect/ }).count()
          ),
          0
        )
        // the browser session only, never the URL
        assert.strictEqual(
          yield* Effect.promise(() => page.evaluate(() => sessionStorage.getItem("syncwatch.token"))),
          VIEWER
        )
        assert.strictEqual(yield* Effect.promise(() => page.evaluate(() => localStorage.length)), 0)
        assert.isFalse(requested.some((url) => url.includes(VIEWER)))

        // a page that believes it is an admin (its role answer rewritten on the way) still cannot suspend
        yield* Effect.promise(() =>
          page.routeWebSocket(/\/graphql$/, (socket) => {
            const server = socket.connectToServer()
            socket.onMessage((message) => server.send(message))
            server.onMessage((message) =>
              socket.send(typeof message === "string" ? message.replace('"role":"VIEWER"', '"role":"ADMIN"') : message)
            )
          })
        )
        yield* Effect.promise(() => page.reload())
        yield* waitFor(page, `[data-role="ADMIN"]`)
        yield* click(page, "Suspend Alpha shop")
        yield* click(page, "Yes, suspend")
        yield* waitFor(page, `.notice-error:has-text("Forbidden")`)
        assert.include(yield* text(page, ".notice-error"), "The viewer role may not run mutations")
        assert.strictEqual(yield* connectionStatus(site, alpha, asAdmin), "ACTIVE")
        assert.include(yield* text(page, `tr[data-uuid="${alpha}"] td[data-column="status"]`), "ACTIVE")

        onlyLoopback(site, requested, outside)
        assert.deepStrictEqual(errors, [])
      }).pipe(Effect.scoped),
    { timeout: 180_000 }
  )
})
