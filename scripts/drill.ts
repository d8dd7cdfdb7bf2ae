// `npm run drill [-- scenario ...]`: the fault drills (libs/drill), each against Postgres, NATS and
// Redis of its own with the services as processes under payment load: a fault injected, then the
// money, recovery, projection, stream and crash invariants checked and the availability reported.
// Exits 1 when an invariant failed in any drill. Not part of `npm test`: it takes about 10 minutes.
import { runDrill } from "@paymesh/drill";

const ok = await runDrill({ only: process.argv.slice(2) });
process.exit(ok ? 0 : 1);
