import { create, type DescFile, type DescMessage, type DescService, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, type ServiceImpl } from "@connectrpc/connect";
import * as v1 from "@paymesh/gen/grpc/reflection/v1/reflection_pb";
import * as v1alpha from "@paymesh/gen/grpc/reflection/v1alpha/reflection_pb";

type Request = v1.ServerReflectionRequest | v1alpha.ServerReflectionRequest;

/** The reflection services, both versions, ready to register on a router. */
export interface Reflection {
  readonly v1: { service: typeof v1.ServerReflection; impl: Partial<ServiceImpl<typeof v1.ServerReflection>> };
  readonly v1alpha: {
    service: typeof v1alpha.ServerReflection;
    impl: Partial<ServiceImpl<typeof v1alpha.ServerReflection>>;
  };
}

/**
 * gRPC server reflection (v1 and v1alpha: grpcurl and older tools still ask for the
 * latter) over the given services, answering from their compiled descriptors so
 * operators can list, describe and call without any `.proto` at hand.
 */
export function createReflection(services: readonly DescService[]): Reflection {
  const all = [...services, v1.ServerReflection, v1alpha.ServerReflection];
  const index = indexFiles(all.map((service) => service.file));
  const serviceNames = all.map((service) => service.typeName);
  const answer = (req: Request) => respond(req, index, serviceNames);

  return {
    v1: {
      service: v1.ServerReflection,
      impl: {
        async *serverReflectionInfo(requests) {
          for await (const req of requests) yield create(v1.ServerReflectionResponseSchema, { ...answer(req), originalRequest: req });
        },
      },
    },
    v1alpha: {
      service: v1alpha.ServerReflection,
      impl: {
        async *serverReflectionInfo(requests) {
          for await (const req of requests) yield create(v1alpha.ServerReflectionResponseSchema, { ...answer(req), originalRequest: req });
        },
      },
    },
  };
}

interface FileIndex {
  byName: Map<string, DescFile>;
  bySymbol: Map<string, DescFile>;
  /** Extension numbers by the full name of the message they extend. */
  extensions: Map<string, Map<number, DescFile>>;
}

function indexFiles(roots: readonly DescFile[]): FileIndex {
  const index: FileIndex = { byName: new Map(), bySymbol: new Map(), extensions: new Map() };
  const addExtension = (extendee: DescMessage, number: number, file: DescFile) => {
    const numbers = index.extensions.get(extendee.typeName) ?? new Map<number, DescFile>();
    numbers.set(number, file);
    index.extensions.set(extendee.typeName, numbers);
  };
  const addMessage = (message: DescMessage, file: DescFile) => {
    index.bySymbol.set(message.typeName, file);
    for (const field of message.fields) index.bySymbol.set(`${message.typeName}.${field.name}`, file);
    for (const nested of message.nestedMessages) addMessage(nested, file);
    for (const nested of message.nestedEnums) index.bySymbol.set(nested.typeName, file);
    for (const ext of message.nestedExtensions) {
      index.bySymbol.set(ext.typeName, file);
      addExtension(ext.extendee, ext.number, file);
    }
  };
  const visit = (file: DescFile) => {
    if (index.byName.has(file.proto.name)) return;
    index.byName.set(file.proto.name, file);
    for (const dep of file.dependencies) visit(dep);
    for (const message of file.messages) addMessage(message, file);
    for (const enumeration of file.enums) index.bySymbol.set(enumeration.typeName, file);
    for (const ext of file.extensions) {
      index.bySymbol.set(ext.typeName, file);
      addExtension(ext.extendee, ext.number, file);
    }
    for (const service of file.services) {
      index.bySymbol.set(service.typeName, file);
      for (const method of service.methods) index.bySymbol.set(`${service.typeName}.${method.name}`, file);
    }
  };
  roots.forEach(visit);
  return index;
}

/** The file first, then everything it imports, each once: clients resolve imports from the set. */
function withDependencies(file: DescFile): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  const visit = (f: DescFile) => {
    if (seen.has(f.proto.name)) return;
    seen.add(f.proto.name);
    out.push(toBinary(FileDescriptorProtoSchema, f.proto));
    f.dependencies.forEach(visit);
  };
  visit(file);
  return out;
}

function respond(req: Request, index: FileIndex, serviceNames: string[]) {
  const base = { validHost: req.host };
  const files = (file: DescFile | undefined, what: string) =>
    file === undefined
      ? notFound(`${what} not found`)
      : { case: "fileDescriptorResponse" as const, value: { fileDescriptorProto: withDependencies(file) } };
  const request = req.messageRequest;
  switch (request.case) {
    case "listServices":
      return {
        ...base,
        messageResponse: { case: "listServicesResponse" as const, value: { service: serviceNames.map((name) => ({ name })) } },
      };
    case "fileByFilename":
      return { ...base, messageResponse: files(index.byName.get(request.value), `file "${request.value}"`) };
    case "fileContainingSymbol":
      return { ...base, messageResponse: files(index.bySymbol.get(request.value), `symbol "${request.value}"`) };
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = request.value;
      const file = index.extensions.get(containingType)?.get(extensionNumber);
      return { ...base, messageResponse: files(file, `extension ${extensionNumber} of "${containingType}"`) };
    }
    case "allExtensionNumbersOfType": {
      const numbers = index.extensions.get(request.value);
      const messageResponse =
        numbers === undefined && !index.bySymbol.has(request.value)
          ? notFound(`type "${request.value}" not found`)
          : {
              case: "allExtensionNumbersResponse" as const,
              value: { baseTypeName: request.value, extensionNumber: [...(numbers?.keys() ?? [])] },
            };
      return { ...base, messageResponse };
    }
    default:
      return {
        ...base,
        messageResponse: {
          case: "errorResponse" as const,
          value: { errorCode: Code.InvalidArgument, errorMessage: "no request in ServerReflectionRequest" },
        },
      };
  }
}

function notFound(errorMessage: string) {
  return { case: "errorResponse" as const, value: { errorCode: Code.NotFound, errorMessage } };
}
