export { ConfigError } from "./config-error.js";
export type { ConnectionTimeouts } from "./connection-timeouts.js";
export { type Batcher, type BatcherOptions, createBatcher } from "./create-batcher.js";
export { type HealthState, ServingStatus } from "./create-health.js";
export { createHttp2SessionManager, type Http2SessionManagerOptions } from "./create-http2-session-manager.js";
export { createIntervalWorker, type FirstRun, type IntervalWorker, type IntervalWorkerOptions } from "./create-interval-worker.js";
export { createLogger, type LoggerOptions } from "./create-logger.js";
export { createMetrics, type Metrics, type MetricsOptions } from "./create-metrics.js";
export { createRedisClient, type RedisClientOptions } from "./create-redis-client.js";
export { createServer, type ReadinessCheck, type Server, type ServerOptions } from "./create-server.js";
export { createServiceClient, type ServiceClientOptions } from "./create-service-client.js";
export { createServiceCredentials, type ServiceCredentials, type ServiceCredentialsOptions } from "./create-service-credentials.js";
export { createThrottledWarning, type ThrottledWarningOptions } from "./create-throttled-warning.js";
export {
  createTokenVerifier,
  TOKEN_ALGORITHM,
  TokenError,
  type TokenVerifier,
  type TokenVerifierOptions,
} from "./create-token-verifier.js";
export { DomainError, type DomainErrorKind } from "./domain-error.js";
export { type ErrorDetail, errorDetail } from "./error-detail.js";
export { isMainModule } from "./is-main-module.js";
export { isTransientCode } from "./is-transient-code.js";
export { type ItemError, itemErrorOf } from "./item-error-of.js";
export {
  type Cursor,
  type CursorFieldType,
  type CursorShape,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type Page,
  type PageRequest,
  type PageRequestOptions,
  readPageRequest,
  toPage,
} from "./keyset-page.js";
export {
  type AuthSettings,
  createEnvReader,
  DEFAULT_RETENTION,
  DEVELOPMENT_AUTH_SECRET,
  type Env,
  type EnvReader,
  type LoadConfigOptions,
  loadConfig,
  type RetentionConfig,
  readAuthSettings,
  type ServiceConfig,
} from "./load-config.js";
export { loadServiceConfig } from "./load-service-config.js";
export { type OpenServiceDatabaseOptions, openServiceDatabase, type ServiceDatabase } from "./open-service-database.js";
export { type Principal, principalKey, principalOf, ROLES, type Role, requireRole } from "./principal.js";
export { runService } from "./run-service.js";
export { CONSOLE_PORT, SERVICE_PORTS, type ServiceName } from "./service-ports.js";
export type { MethodReadLimit, ServiceRegistration } from "./service-registration.js";
export { setupTracing, type TracingOptions } from "./setup-tracing.js";
export { type SignTokenOptions, signToken } from "./sign-token.js";
export {
  type ProjectionOptions,
  type RunningService,
  type ServiceContext,
  type ServiceDefinition,
  type ServiceParts,
  type StartServiceOptions,
  startService,
  type Worker,
} from "./start-service.js";
export { transientError } from "./transient-error.js";
export { withDeadline } from "./with-deadline.js";
