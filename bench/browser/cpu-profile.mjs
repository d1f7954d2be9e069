// Preloaded (NODE_OPTIONS=--import) into the app's processes by bench/browser/servers.ts when
// BENCH_BROWSER_PROFILE_DIR asks for profiles (it passes the folder as BENCH_APP_CPU_PROF): Node 20 refuses --cpu-prof in NODE_OPTIONS, so the profiler
// is started through the inspector and its profile written, as --cpu-prof would, on exit.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import path from "node:path";

const folder = process.env.BENCH_APP_CPU_PROF;
const session = new Session();
session.connect();
session.post("Profiler.enable");
session.post("Profiler.start");
process.on("exit", () => {
  session.post("Profiler.stop", (error, result) => {
    if (!error) writeFileSync(path.join(folder, `app-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});
