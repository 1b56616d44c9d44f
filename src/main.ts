import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { ServerLive } from "./Server.js"
import * as Startup from "./Startup.js"

NodeRuntime.runMain(Startup.launch(ServerLive), { disableErrorReporting: true })
