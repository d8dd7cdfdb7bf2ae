// The benchmarks' ceiling: the test EchoService on the paymesh runtime (same server, protocols,
// auth, validation, tracing and metrics interceptors as every service), in a Node process of
// its own, so a service's rate can be read as a fraction of what a bare RPC achieves here.
import { EchoService } from "@paymesh/gen/paymesh/testing/v1/echo_pb";
import { createLogger, createMetrics, createServer, createTokenVerifier, loadConfig } from "@paymesh/runtime";
import { createEchoService } from "@paymesh/testkit";

const config = loadConfig({ service: "ceiling", defaultPort: 0 });
const server = createServer({
  name: config.service,
  services: [{ service: EchoService, impl: createEchoService() }],
  logger: createLogger({ service: config.service, level: config.logLevel }),
  verifyToken: createTokenVerifier(config.auth),
  metrics: createMetrics({ service: config.service }),
  host: config.host,
  port: config.port,
});
await server.start();
const stop = () => void server.stop().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
