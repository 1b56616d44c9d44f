import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

// Issue 22: the registry read a page at a time, in (name, uuid) order (Query.connectionPage): each page is
// a range of this index, however deep
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE INDEX connections_name_uuid_idx ON connections (name, uuid)`
})
