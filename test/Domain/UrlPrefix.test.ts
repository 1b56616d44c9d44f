import { assert, describe, it } from "@effect/vitest"
import * as UrlPrefix from "../../src/Domain/UrlPrefix.js"

describe("UrlPrefix", () => {
  it("normalises the prefix as B §2 (cases 3, 4)", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["/phoenix_kit", "/phoenix_kit"],
      ["", ""],
      ["/", ""],
      ["custom", "/custom"],
      ["/custom/", "/custom"],
      ["/a/b/", "/a/b"],
      ["  /custom  ", "/custom"],
      ["//", ""],
      ["custom//", "/custom"]
    ]
    for (const [raw, expected] of cases) assert.strictEqual(UrlPrefix.normalize(raw), expected, JSON.stringify(raw))
  })

  it("builds endpoint URLs from the site URL without its trailing slashes (cases 5, 6)", () => {
    assert.strictEqual(
      UrlPrefix.endpointUrl("https://r.example.com//", "", "status"),
      "https://r.example.com/sync/api/status"
    )
    assert.strictEqual(
      UrlPrefix.endpointUrl("https://r.example.com/", "/phoenix_kit", "get-connection-status"),
      "https://r.example.com/phoenix_kit/sync/api/get-connection-status"
    )
  })
})
