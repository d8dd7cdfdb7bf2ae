import { type DescMessage, type Message, ScalarType } from "@bufbuild/protobuf";
import { type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";
import type { Interceptor } from "@connectrpc/connect";
import { DomainError } from "./domain-error.js";

/**
 * Refuses, with INVALID_ARGUMENT naming the field, any request whose strings (at any depth:
 * lists, map keys and values, oneofs, nested messages) hold U+0000. Postgres text and jsonb
 * cannot store it, so without this a memo, an owner or a metadata value with a NUL reached
 * SQL and failed there as INTERNAL. No API of ours has a use for it, so it is refused for
 * every field, before any handler runs, rather than field by field in each service.
 * Every other code point a request can carry (protobuf-es has already refused invalid UTF-8
 * and lone surrogates) Postgres stores as it is.
 */
export function createTextInputInterceptor(): Interceptor {
  return (next) => async (req) => {
    if (!req.stream) {
      check(req.method.input, req.message);
      return next(req);
    }
    return next({ ...req, message: checked(req.method.input, req.message) });
  };
}

function check(schema: DescMessage, message: Message): void {
  const field = fieldWithNul(reflect(schema, message));
  if (field !== undefined) throw new DomainError("invalid_argument", `${field}: must not contain the character U+0000 (NUL)`);
}

async function* checked<T extends Message>(schema: DescMessage, messages: AsyncIterable<T>): AsyncIterable<T> {
  for await (const message of messages) {
    check(schema, message);
    yield message;
  }
}

/** The path (as protovalidate names fields, e.g. `lines[1].memo`) of the first string holding a NUL. */
function fieldWithNul(message: ReflectMessage, path = ""): string | undefined {
  for (const field of message.fields) {
    if (!message.isSet(field)) continue;
    const at = path === "" ? field.name : `${path}.${field.name}`;
    switch (field.fieldKind) {
      case "scalar":
        if (hasNul(message.get(field))) return at;
        break;
      case "message": {
        const found = fieldWithNul(message.get(field), at);
        if (found !== undefined) return found;
        break;
      }
      case "list": {
        for (const [i, item] of message.get(field).entries()) {
          const found =
            field.listKind === "message" ? fieldWithNul(item as ReflectMessage, `${at}[${i}]`) : hasNul(item) ? `${at}[${i}]` : undefined;
          if (found !== undefined) return found;
        }
        break;
      }
      case "map": {
        for (const [key, item] of message.get(field)) {
          const entry = `${at}[${JSON.stringify(key)}]`;
          if (field.mapKey === ScalarType.STRING && hasNul(key)) return `${entry} (the key)`;
          const found = field.mapKind === "message" ? fieldWithNul(item as ReflectMessage, entry) : hasNul(item) ? entry : undefined;
          if (found !== undefined) return found;
        }
        break;
      }
    }
  }
  return undefined;
}

const hasNul = (value: unknown) => typeof value === "string" && value.includes("\0");
