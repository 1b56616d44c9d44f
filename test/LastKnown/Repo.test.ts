import { assert, describe, it } from "@effect/vitest"
import { statementSizes } from "../../src/LastKnown/Repo.js"

describe("the last-known rows' statements", () => {
  it.each([0, 1, 7, 499, 500, 501, 1000, 1063, 1999, 10_000])(
    "%i rows: every row once, in few statement shapes",
    (rows) => {
      const sizes = statementSizes(rows)
      assert.strictEqual(
        sizes.reduce((sum, size) => sum + size, 0),
        rows
      )
      for (const size of sizes) assert.include([500, 256, 128, 64, 32, 16, 8, 4, 2, 1], size)
    }
  )

  it("a batch of any size uses statements of at most ten sizes, so each text is prepared once", () => {
    const shapes = new Set<number>()
    for (let rows = 0; rows <= 3000; rows++) for (const size of statementSizes(rows)) shapes.add(size)
    assert.strictEqual(shapes.size, 10)
    assert.deepStrictEqual(statementSizes(1063), [500, 500, 32, 16, 8, 4, 2, 1])
  })
})
