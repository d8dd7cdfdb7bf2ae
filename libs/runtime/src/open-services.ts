/**
 * Services reachable without a token: gRPC health and reflection, which orchestrators and
 * operators' tools call anonymously.
 */
export const OPEN_SERVICES: readonly string[] = [
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
];
