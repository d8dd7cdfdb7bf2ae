export { createEchoService } from "./create-echo-service.js";
export { mintTestToken, TEST_AUTH } from "./test-auth.js";
export { startTestServer, type TestServer, type TestServerOptions, type TestProtocol } from "./start-test-server.js";
export { connectErrorOf } from "./connect-error-of.js";
