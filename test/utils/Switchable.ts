import { Effect } from "effect"
import * as FakeSite from "./FakeSite.js"

// a remote sender whose answer the test switches: ACTIVE while up, 503 (ERROR, not healthy) while down
export const switchable = Effect.gen(function* () {
  const state = { up: true }
  const site = yield* FakeSite.make(() =>
    state.up ? FakeSite.json(200, { success: true, status: "active", name: "n" }) : FakeSite.json(503, {})
  )
  return { url: site.url, state }
})
