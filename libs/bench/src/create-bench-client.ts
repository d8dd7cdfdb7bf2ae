import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";

export interface BenchClientOptions {
  baseUrl: string;
  /** A bearer token minted once by the benchmark, so the generator signs nothing per call. */
  token: string;
  /**
   * `grpc` (default, what services use between themselves) or `connect` (the Connect protocol,
   * binary, over HTTP/2), to compare what each costs the server.
   */
  protocol?: "grpc" | "connect";
}

/** A client of the load generator: HTTP/2, one connection, a fixed token. */
export function createBenchClient<T extends DescService>(service: T, options: BenchClientOptions): Client<T> {
  const auth: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${options.token}`);
    return next(req);
  };
  const transport =
    options.protocol === "connect"
      ? createConnectTransport({ baseUrl: options.baseUrl, httpVersion: "2", useBinaryFormat: true, interceptors: [auth] })
      : createGrpcTransport({ baseUrl: options.baseUrl, interceptors: [auth] });
  return createClient(service, transport);
}
