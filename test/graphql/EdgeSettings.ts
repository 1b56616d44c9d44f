import { ConfigProvider, Effect } from "effect"
import * as Edge from "../../src/graphql/Edge.js"

// the admin edge's settings read from `values` alone, as start-up reads them: refused (Left) or taken (Right)
export const edgeSettings = (values: Record<string, string>) =>
  Edge.settings.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(values)))), Effect.either)
