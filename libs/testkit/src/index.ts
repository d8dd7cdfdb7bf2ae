export { connectErrorOf } from "./connect-error-of.js";
export { createEchoService } from "./create-echo-service.js";
export { createTestDatabase, type TestDatabase } from "./create-test-database.js";
export { createTestMesh, type TestMesh } from "./create-test-mesh.js";
export { createTestNats, type TestNats } from "./create-test-nats.js";
export { redisTestPrefix } from "./redis-test-prefix.js";
export { startTestServer, type TestProtocol, type TestServer, type TestServerOptions } from "./start-test-server.js";
export { mintTestToken, TEST_AUTH } from "./test-auth.js";
export { variablesReadBy } from "./variables-read-by.js";
