import { type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { hasCustomJsonRepresentation, isWrapperDesc } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";

const SIGNED = { pattern: /^(?:0|-?[1-9][0-9]*)$/, min: -(2n ** 63n), max: 2n ** 63n - 1n };
const UNSIGNED = { pattern: /^(?:0|[1-9][0-9]*)$/, min: 0n, max: 2n ** 64n - 1n };

const RANGES: Partial<Record<ScalarType, typeof SIGNED>> = {
  [ScalarType.INT64]: SIGNED,
  [ScalarType.SINT64]: SIGNED,
  [ScalarType.SFIXED64]: SIGNED,
  [ScalarType.UINT64]: UNSIGNED,
  [ScalarType.FIXED64]: UNSIGNED,
};

/**
 * Refuses, with INVALID_ARGUMENT naming the field (as protovalidate names them, e.g.
 * `lines[1].amount`), any 64-bit integer in a JSON request that is not a string of decimal
 * digits in its canonical form and in range: `"1234"`, `"-5"`, `"0"`.
 *
 * protobuf-es reads these fields with `BigInt(value)`, which takes far more: `"0x10"` (16),
 * `"0b11"`, `" 12"`, `"+12"`, `"012"`, and JSON numbers, which JSON.parse has already rounded
 * (`9007199254740993` arrives as ...992) and which may be written `1e3` or `12.0`. An amount
 * must mean exactly what its sender wrote, so only the form protobuf-es itself writes is read.
 * `null` stays the field's default, as the JSON mapping says. Fields the message does not know
 * are left to the reader (Connect ignores them); so are well-known types with a JSON form of
 * their own (a Timestamp is a string), except the 64-bit wrappers, which are the bare integer.
 */
export function checkJsonIntegers(schema: DescMessage, json: unknown, path = ""): void {
  if (isWrapperDesc(schema)) {
    checkInteger(schema.fields[0].scalar, json, path);
    return;
  }
  if (hasCustomJsonRepresentation(schema) || !isObject(json)) return;
  for (const [key, value] of Object.entries(json)) {
    const field = schema.fields.find((f) => f.jsonName === key || f.name === key);
    if (field === undefined || value === null) continue;
    const at = path === "" ? field.name : `${path}.${field.name}`;
    switch (field.fieldKind) {
      case "scalar":
        checkInteger(field.scalar, value, at);
        break;
      case "message":
        checkJsonIntegers(field.message, value, at);
        break;
      case "list":
        if (!Array.isArray(value)) break;
        value.forEach((item, i) => {
          if (field.listKind === "scalar") checkInteger(field.scalar, item, `${at}[${i}]`);
          else if (field.listKind === "message") checkJsonIntegers(field.message, item, `${at}[${i}]`);
        });
        break;
      case "map":
        if (!isObject(value)) break;
        for (const [mapKey, item] of Object.entries(value)) {
          const entry = `${at}[${JSON.stringify(mapKey)}]`;
          checkInteger(field.mapKey, mapKey, `${entry} (the key)`);
          if (field.mapKind === "scalar") checkInteger(field.scalar, item, entry);
          else if (field.mapKind === "message") checkJsonIntegers(field.message, item, entry);
        }
        break;
    }
  }
}

function checkInteger(scalar: ScalarType, value: unknown, path: string): void {
  const range = RANGES[scalar];
  if (range === undefined) return;
  const name = path === "" ? "the value" : path;
  if (typeof value !== "string" || !range.pattern.test(value)) {
    throw new ConnectError(
      `${name}: must be a JSON string of decimal digits such as "1234": not a JSON number, and no exponent, "+" sign, leading zero or white space`,
      Code.InvalidArgument,
    );
  }
  const integer = BigInt(value);
  if (integer < range.min || integer > range.max) {
    throw new ConnectError(`${name}: must be between ${range.min} and ${range.max}`, Code.InvalidArgument);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
