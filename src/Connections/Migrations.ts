import * as Migrator from "@effect/sql/Migrator"
import CreateConnections from "./migrations/0001_create_connections.js"
import StatusActor from "./migrations/0002_status_actor.js"
import CreateCheckResults from "./migrations/0003_create_check_results.js"
import CreateHealthHeartbeat from "./migrations/0004_create_health_heartbeat.js"
import RollupsMaintenance from "./migrations/0005_rollups_maintenance.js"
import PageIndex from "./migrations/0006_page_index.js"

// one list for both stores: each migration says what differs with sql.onDialectOrElse
export const loader = Migrator.fromRecord({
  "0001_create_connections": CreateConnections,
  "0002_status_actor": StatusActor,
  "0003_create_check_results": CreateCheckResults,
  "0004_create_health_heartbeat": CreateHealthHeartbeat,
  "0005_rollups_maintenance": RollupsMaintenance,
  "0006_page_index": PageIndex
})

// Migrator.make without a schema dump needs nothing but the SqlClient (run/layer would also ask for a
// FileSystem, a Path and a CommandExecutor only to dump the schema with a CLI)
export const run = Migrator.make({})({ loader })
