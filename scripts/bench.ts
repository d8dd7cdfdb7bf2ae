// `npm run bench [-- part ...]`: runs each service's benchmark (services/<name>/bench/run-benchmark.ts,
// which exports `runBenchmark`): the services each in a process of their own as `npm start` runs
// them, the load from another process, and a bare RPC on the same runtime as the ceiling in the
// same run. Parts run one after another so they do not disturb each other.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const available = readdirSync(join(root, "services")).filter((name) =>
  existsSync(join(root, "services", name, "bench", "run-benchmark.ts")),
);
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`no benchmark for: ${unknown.join(", ")} (available: ${available.join(", ")})`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : available) {
  const { runBenchmark } = (await import(join(root, "services", name, "bench", "run-benchmark.ts"))) as {
    runBenchmark: () => Promise<void>;
  };
  await runBenchmark();
}
process.exit(0);
