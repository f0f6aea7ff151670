// The HTTP load generator, in its own process: autocannon against one route, each request on a
// path picked at random from a file (one path a line). A warm-up run first (not measured).
// Usage: load-process.ts <origin> <paths-file> <connections> <seconds> <warm-up seconds>
// Prints `RESULT {"requestsPerSec","p50","p99",…}` (latencies in ms).
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

const [origin, pathsFile] = [process.argv[2], process.argv[3]];
const [connections, seconds, warmup] = [Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6] ?? 0)];
if (!origin || !pathsFile || !(connections > 0) || !(seconds > 0)) {
  process.stderr.write("usage: load-process.ts <origin> <paths-file> <connections> <seconds> [warm-up seconds]\n");
  process.exit(2);
}
const paths = readFileSync(pathsFile, "utf8").split("\n").filter(Boolean);
const options = (duration: number): autocannon.Options => ({
  url: origin,
  connections,
  duration,
  timeout: 10,
  headers: { accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "accept-language": "en" },
  requests: [{ method: "GET", setupRequest: (request) => ({ ...request, path: paths[Math.floor(Math.random() * paths.length)] }) }],
});
if (warmup > 0) await autocannon(options(warmup));
const result = await autocannon(options(seconds));
const statusCodes: Record<string, number> = {};
for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count;
process.stdout.write(
  `RESULT ${JSON.stringify({
    requestsPerSec: result.requests.average,
    requests: result.requests.total,
    durationSec: result.duration,
    latencyAvg: result.latency.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    bytesPerSec: result.throughput.average,
  })}\n`,
);
process.exit(0);
