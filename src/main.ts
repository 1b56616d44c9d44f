import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { ServerLive } from "./Server.js"
import * as Startup from "./Startup.js"

// the log format is LOG_FORMAT's (LogFormat.ts), in place of the runtime's pretty logger
NodeRuntime.runMain(Startup.launch(ServerLive), { disableErrorReporting: true, disablePrettyLogger: true })
