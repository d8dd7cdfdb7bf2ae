import type { DescMessage, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, createServiceImplSpec, type ServiceImpl } from "@connectrpc/connect";
import { checkJsonIntegers } from "./check-json-integers.js";

/**
 * Registers a service on the router as `router.service` does (unimplemented methods answer
 * UNIMPLEMENTED), but method by method, so that each method reads JSON requests (Connect,
 * gRPC-Web JSON, Connect GET) strictly against its own input message:
 * - a body that is not valid UTF-8 is INVALID_ARGUMENT, where Connect's default decoder would
 *   replace the bad bytes with U+FFFD and go on;
 * - 64-bit integers must be canonical decimal strings (checkJsonIntegers).
 * Binary requests need neither: protobuf-es refuses invalid UTF-8 in proto3 strings itself.
 */
export function routeService(
  router: ConnectRouter,
  service: DescService,
  // biome-ignore lint/suspicious/noExplicitAny: as in ServiceRegistration, the router checks handlers against the descriptor.
  impl: Partial<ServiceImpl<any>>,
): void {
  for (const spec of Object.values(createServiceImplSpec(service, impl).methods)) {
    router.rpc(spec.method, spec.impl as never, { jsonOptions: strictJsonOptions(spec.method.input) });
  }
}

/**
 * Connect's JSON options with a text decoder that checks the request before protobuf-es reads
 * it. Connect (2.1) reads `textDecoder` from the JSON options it is given, though their type
 * does not declare it; the tests of every service's strict input would fail if it stopped.
 */
function strictJsonOptions(input: DescMessage) {
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const textDecoder = {
    decode(bytes?: Uint8Array): string {
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        throw new ConnectError("the request is not valid UTF-8", Code.InvalidArgument);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        // Not JSON at all: protobuf-es refuses it with its own message.
        return text;
      }
      checkJsonIntegers(input, json);
      return text;
    },
  };
  // Connect's own default, stated so the object shares a property with the declared type.
  return { ignoreUnknownFields: true, textDecoder };
}
