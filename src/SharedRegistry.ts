import { Context } from "effect"

// true when several instances share the registry (PostgreSQL): the monitor then runs as a cluster
// singleton (Cluster.ts) instead of in every process, and the last-known results are read from the store
export class SharedRegistry extends Context.Reference<SharedRegistry>()("syncwatch/SharedRegistry", {
  defaultValue: () => false
}) {}
