import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { graphql, startSite } from "../utils/App.js"

// renameConnection, and the name rule an admin's create and rename share (Domain/Connection.ts): said as
// InvalidInput with the field it concerns (extensions.field, so a form shows it beside that field); nothing written.

const CREATE = `mutation ($input: CreateConnectionInput!) { createConnection(input: $input) { connection { uuid } } }`
const RENAME = `mutation ($uuid: ID!, $name: String!) { renameConnection(uuid: $uuid, name: $name) { uuid name } }`
const NAMES = `{ connections { name } }`
const LONG = "x".repeat(10_000)

describe("renameConnection", () => {
  it.live("renames; a blank or 10,000-character name is InvalidInput on the field name, and changes nothing", () =>
    Effect.gen(function* () {
      const site = yield* startSite({})
      const created = yield* graphql(site.graphqlUrl, CREATE, {
        input: { name: "Shop", direction: "RECEIVER", siteUrl: "http://127.0.0.1:9" }
      })
      const uuid = created.data?.["createConnection"]["connection"]["uuid"] as string

      const renamed = yield* graphql(site.graphqlUrl, RENAME, { uuid, name: "Corner shop" })
      assert.deepStrictEqual(renamed.data?.["renameConnection"], { uuid, name: "Corner shop" })

      for (const name of ["  ", LONG]) {
        const refused = yield* graphql(site.graphqlUrl, RENAME, { uuid, name })
        assert.deepStrictEqual<unknown>(refused.errors?.[0]?.extensions, { code: "InvalidInput", field: "name" })
      }
      const tooLong = yield* graphql(site.graphqlUrl, RENAME, { uuid, name: LONG })
      assert.strictEqual(tooLong.errors?.[0]?.message, "name is 10000 characters long; at most 200 are allowed")
      const missing = yield* graphql(site.graphqlUrl, RENAME, {
        uuid: "01900000-0000-7000-8000-000000000000",
        name: "Nobody"
      })
      assert.strictEqual(missing.errors?.[0]?.extensions?.code, "ConnectionNotFound")
      assert.deepStrictEqual((yield* graphql(site.graphqlUrl, NAMES)).data?.["connections"], [{ name: "Corner shop" }])

      // the admin's create follows the same rule
      const long = yield* graphql(site.graphqlUrl, CREATE, {
        input: { name: LONG, direction: "SENDER", siteUrl: "http://127.0.0.1:9" }
      })
      assert.deepStrictEqual<unknown>(long.errors?.[0]?.extensions, { code: "InvalidInput", field: "name" })
      assert.deepStrictEqual((yield* graphql(site.graphqlUrl, NAMES)).data?.["connections"], [{ name: "Corner shop" }])
    }).pipe(Effect.scoped)
  )
})
