import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

// who made the last status change: the admin, the remote site (update-status, auto-activation), or the
// severed rule after the remote reported the connection gone. NULL: unchanged since it was created.
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    ALTER TABLE connections ADD COLUMN status_changed_by TEXT
      CHECK (status_changed_by IN ('admin', 'remote', 'severed'))`
})
