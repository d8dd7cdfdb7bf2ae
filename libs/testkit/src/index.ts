export { createEchoService } from "./create-echo-service.js";
export { mintTestToken, TEST_AUTH } from "./test-auth.js";
export { startTestServer, type TestServer, type TestServerOptions, type TestProtocol } from "./start-test-server.js";
export { connectErrorOf } from "./connect-error-of.js";
export { createTestDatabase, type TestDatabase } from "./create-test-database.js";
export { createTestNats, type TestNats } from "./create-test-nats.js";
export { createTestMesh, type TestMesh } from "./create-test-mesh.js";
