import type { CodegenConfig } from "@graphql-codegen/cli"
import { ConnectionStatus, Direction, StatusActor } from "./src/Domain/Connection.js"
import { ChangeKind, SenderStatus, VerificationOutcome } from "./src/Domain/Events.js"
import { CheckOutcome } from "./src/Domain/Page.js"
import { RemoteNoticeOutcome } from "./src/Domain/RemoteNotice.js"
import { Role } from "./src/Domain/Role.js"
import { UptimeWindow } from "./src/Domain/Uptime.js"

// GraphQL enum values are the upper-cased domain literals; resolvers see the domain values
const enumValues = (schema: { readonly literals: ReadonlyArray<string> }) =>
  Object.fromEntries(schema.literals.map((value) => [value.toUpperCase(), value]))

const config: CodegenConfig = {
  schema: "schema.graphql",
  generates: {
    "src/graphql/generated/resolvers.ts": {
      plugins: ["typescript", "typescript-resolvers"],
      config: {
        useTypeImports: true,
        mapperTypeSuffix: "Model",
        enumsAsTypes: true,
        immutableTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        maybeValue: "T | null",
        inputMaybeValue: "T | null | undefined",
        scalars: { DateTime: { input: "string", output: "unknown" } },
        enumValues: {
          Direction: enumValues(Direction),
          ConnectionStatus: enumValues(ConnectionStatus),
          SenderStatus: enumValues(SenderStatus),
          VerificationOutcome: enumValues(VerificationOutcome),
          ChangeKind: enumValues(ChangeKind),
          RemoteNoticeOutcome: enumValues(RemoteNoticeOutcome),
          StatusActor: enumValues(StatusActor),
          Role: enumValues(Role),
          UptimeWindow: enumValues(UptimeWindow),
          CheckOutcome: enumValues(CheckOutcome)
        },
        mappers: {
          Connection: "../../Domain/Connection.js#Connection",
          RemoteNotification: "../../Domain/Connection.js#RemoteNotification",
          SenderStatusFetched: "../../Domain/Events.js#SenderStatusFetched",
          ReceiverVerification: "../../Domain/Events.js#ReceiverVerification",
          ReceiverConnectionSevered: "../../Domain/Events.js#ReceiverConnectionSevered",
          StatusRoundCompleted: "../../Domain/Events.js#StatusRoundCompleted",
          SeveringHeld: "../../Domain/Events.js#SeveringHeld",
          StatusRound: "../../Domain/Events.js#StatusRound",
          StatusChange: "../../Domain/StatusChange.js#StatusChange",
          ConnectionChange: "../../Domain/Events.js#ConnectionChange",
          RemoteNotice: "../../Domain/RemoteNotice.js#RemoteNotice",
          Maintenance: "../../Domain/Maintenance.js#Maintenance",
          ConnectionPage: "../../Connections.js#ConnectionPage"
        }
      }
    },
    // the status page's operations (written with `graphql(...)` in ui/src), typed from the schema: a schema
    // change the page does not follow fails codegen (an unknown field) or `npm run typecheck` (a changed type)
    "ui/src/generated/": {
      documents: ["ui/src/**/*.ts", "ui/src/**/*.tsx", "!ui/src/generated/**"],
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: "string",
        emitLegacyCommonJSImports: false,
        useTypeImports: true,
        enumsAsTypes: true,
        immutableTypes: true,
        avoidOptionals: true,
        scalars: { DateTime: "string" }
      }
    }
  }
}

export default config
