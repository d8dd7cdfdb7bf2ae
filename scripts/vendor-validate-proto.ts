// Regenerates proto/buf/validate/validate.proto from the FileDescriptorProto
// embedded in @bufbuild/protovalidate, because neither the Buf Schema Registry
// nor GitHub is reachable from our build machines, but npm is.
//
//   npx tsx scripts/vendor-validate-proto.ts          # (re)write the vendored file
//   npx tsx scripts/vendor-validate-proto.ts --check  # verify it, exit 1 on drift
//
// --check compiles the vendored file with buf and requires the resulting
// descriptor to be byte-identical to the embedded one, and the file itself to
// be identical to what this script would write.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createRegistry,
  type DescExtension,
  type DescField,
  type DescMessage,
  fromBinary,
  getExtension,
  isFieldSet,
  type Message,
  toBinary,
  toJson,
} from "@bufbuild/protobuf";
import { isReflectMessage, protoCamelCase, type ReflectList, type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";
import {
  type DescriptorProto,
  type EnumDescriptorProto,
  EnumOptionsSchema,
  EnumValueOptionsSchema,
  ExtensionRangeOptionsSchema,
  type FieldDescriptorProto,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldDescriptorProto_TypeSchema,
  FieldDescriptorProtoSchema,
  FieldOptionsSchema,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  FileOptionsSchema,
  MessageOptionsSchema,
  OneofOptionsSchema,
} from "@bufbuild/protobuf/wkt";
import { file_buf_validate_validate } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendoredPath = join(repoRoot, "proto/buf/validate/validate.proto");
const require = createRequire(import.meta.url);

const file: FileDescriptorProto = file_buf_validate_validate.proto;
// The validate file must be in the registry: its own field options use its own extensions.
const registry = createRegistry(file_buf_validate_validate);

// The package does not export its package.json, so find it next to its entry point.
function protovalidateVersion(): string {
  for (let dir = dirname(require.resolve("@bufbuild/protovalidate")); dir !== dirname(dir); dir = dirname(dir)) {
    const pkgPath = join(dir, "package.json");
    if (!existsSync(pkgPath)) continue;
    const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "@bufbuild/protovalidate" && pkg.version) return pkg.version;
  }
  throw new Error("cannot find the package.json of @bufbuild/protovalidate");
}

// ---------------------------------------------------------------- literals

function escapeByte(b: number): string {
  const named: Record<number, string> = { 92: "\\\\", 34: '\\"', 10: "\\n", 13: "\\r", 9: "\\t" };
  if (named[b] !== undefined) return named[b];
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, "0")}`;
}

function quoteBytes(bytes: Uint8Array): string {
  return `"${Array.from(bytes, escapeByte).join("")}"`;
}

// Non-ASCII text stays readable; protoc and buf accept UTF-8 in string literals.
function quoteString(s: string): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    out += cp < 0x80 ? escapeByte(cp) : ch;
  }
  return `"${out}"`;
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  return String(n);
}

type FieldLike = DescField | DescExtension;

function enumOf(f: FieldLike) {
  return f.fieldKind === "enum" ? f.enum : f.fieldKind === "list" && f.listKind === "enum" ? f.enum : undefined;
}

// One value in protobuf text format; messages are printed as multi-line aggregates.
function literal(f: FieldLike, v: unknown, indent: string): string {
  if (isReflectMessage(v)) return aggregate(v, indent);
  if (v instanceof Uint8Array) return quoteBytes(v);
  if (typeof v === "string") return quoteString(v);
  if (typeof v === "number") return enumOf(f)?.values.find((e) => e.number === v)?.name ?? formatNumber(v);
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  throw new Error(`cannot print value of ${f.name}: ${String(v)}`);
}

function elements(f: DescField, m: ReflectMessage): unknown[] {
  if (f.fieldKind === "map") throw new Error(`map field ${f.name} is not supported`);
  const v = m.get(f);
  return f.fieldKind === "list" ? [...(v as ReflectList)] : [v];
}

function assertNoUnknown(m: ReflectMessage): void {
  const unknown = m.getUnknown();
  if (unknown?.length) throw new Error(`${m.desc.typeName} has undecodable fields: ${unknown.map((u) => u.no).join(", ")}`);
}

function aggregate(m: ReflectMessage, indent: string): string {
  assertNoUnknown(m);
  const inner = `${indent}  `;
  const lines = m.fields.filter((f) => m.isSet(f)).flatMap((f) => elements(f, m).map((v) => `${inner}${f.name}: ${literal(f, v, inner)}`));
  return lines.length ? `{\n${lines.join("\n")}\n${indent}}` : "{}";
}

// ----------------------------------------------------------------- options

const pkgPrefix = `.${file.package}.`;

function typeRef(typeName: string): string {
  return typeName.startsWith(pkgPrefix) ? typeName.slice(pkgPrefix.length) : typeName.replace(/^\./, "");
}

// Entries like `deprecated = true` or `(predefined).cel = {...}`, without the `option` keyword or brackets.
function optionEntries(schema: DescMessage, opts: Message | undefined, indent: string): string[] {
  if (!opts) return [];
  const r = reflect(schema, opts);
  const entries: string[] = [];
  for (const f of r.fields) {
    if (f.name === "uninterpreted_option" || !r.isSet(f)) continue;
    for (const v of elements(f, r)) entries.push(`${f.name} = ${literal(f, v, indent)}`);
  }
  // Custom options are not part of the options schema, so they only live in the unknown fields.
  for (const no of new Set((r.getUnknown() ?? []).map((u) => u.no))) {
    const ext = registry.getExtensionFor(schema, no);
    if (!ext) throw new Error(`option #${no} on ${schema.typeName} is not a known extension`);
    const name = `(${typeRef(`.${ext.typeName}`)})`;
    const value: unknown = getExtension(opts, ext);
    if (ext.fieldKind === "message") {
      // Spelled like upstream: one `(ext).field = ...` per field, and per element of repeated fields.
      const m = reflect(ext.message, value as Message);
      assertNoUnknown(m);
      const set = m.fields.filter((f) => m.isSet(f));
      if (!set.length) entries.push(`${name} = {}`);
      for (const f of set) for (const v of elements(f, m)) entries.push(`${name}.${f.name} = ${literal(f, v, indent)}`);
    } else if (ext.fieldKind === "list") {
      for (const v of value as unknown[]) {
        entries.push(`${name} = ${literal(ext, ext.listKind === "message" ? reflect(ext.message, v as Message) : v, indent)}`);
      }
    } else {
      entries.push(`${name} = ${literal(ext, value, indent)}`);
    }
  }
  return entries;
}

function optionStatements(schema: DescMessage, opts: Message | undefined, indent: string): string[] {
  return optionEntries(schema, opts, indent).map((e) => `${indent}option ${e};`);
}

// Options after a field or enum value: ` [a = 1]`, or one entry per line when there are several.
// Entries are rendered for a given indentation because multi-line values close at it.
function bracketed(entriesAt: (indent: string) => string[], indent: string): string {
  const single = entriesAt(indent);
  if (single.length <= 1) return single.length ? ` [${single[0]}]` : "";
  const inner = `${indent}  `;
  return ` [\n${entriesAt(inner)
    .map((e) => inner + e)
    .join(",\n")}\n${indent}]`;
}

// ------------------------------------------------------------ declarations

function scalarOrTypeName(f: FieldDescriptorProto): string {
  if (f.type === FieldDescriptorProto_Type.MESSAGE || f.type === FieldDescriptorProto_Type.ENUM) return typeRef(f.typeName);
  if (f.type === FieldDescriptorProto_Type.GROUP) throw new Error(`group ${f.name} is not supported`);
  const name = FieldDescriptorProto_TypeSchema.values.find((v) => v.number === f.type)?.name;
  if (!name) throw new Error(`unknown type of field ${f.name}`);
  return name.replace(/^TYPE_/, "").toLowerCase();
}

function defaultLiteral(f: FieldDescriptorProto): string {
  if (f.type === FieldDescriptorProto_Type.STRING) return quoteString(f.defaultValue);
  // The descriptor already holds bytes defaults C-escaped.
  if (f.type === FieldDescriptorProto_Type.BYTES) return `"${f.defaultValue}"`;
  return f.defaultValue;
}

function fieldLine(f: FieldDescriptorProto, inOneof: boolean, indent: string): string {
  const labels = {
    [FieldDescriptorProto_Label.OPTIONAL]: "optional ",
    [FieldDescriptorProto_Label.REQUIRED]: "required ",
    [FieldDescriptorProto_Label.REPEATED]: "repeated ",
  };
  const entriesAt = (at: string) => [
    ...(isFieldSet(f, FieldDescriptorProtoSchema.field.defaultValue) ? [`default = ${defaultLiteral(f)}`] : []),
    // Compilers derive json_name themselves; only a custom one has to be spelled out.
    ...(f.jsonName !== "" && f.jsonName !== protoCamelCase(f.name) ? [`json_name = ${quoteString(f.jsonName)}`] : []),
    ...optionEntries(FieldOptionsSchema, f.options, at),
  ];
  return `${indent}${inOneof ? "" : labels[f.label]}${scalarOrTypeName(f)} ${f.name} = ${f.number}${bracketed(entriesAt, indent)};`;
}

function rangeEnd(lastInclusive: number, max: number): string {
  return lastInclusive === max ? "max" : String(lastInclusive);
}

function ranges(rs: { start: number; end: number }[], exclusiveEnd: boolean, max: number): string {
  return rs
    .map(({ start, end }) => {
      const last = exclusiveEnd ? end - 1 : end;
      return last === start ? String(start) : `${start} to ${rangeEnd(last, max)}`;
    })
    .join(", ");
}

function reservedLines(
  rs: { start: number; end: number }[],
  names: string[],
  exclusiveEnd: boolean,
  max: number,
  indent: string,
): string[] {
  const lines: string[] = [];
  if (rs.length) lines.push(`${indent}reserved ${ranges(rs, exclusiveEnd, max)};`);
  if (names.length) lines.push(`${indent}reserved ${names.map(quoteString).join(", ")};`);
  return lines;
}

const MAX_FIELD_NUMBER = 536870911;
const MAX_ENUM_NUMBER = 2147483647;

function enumBlock(e: EnumDescriptorProto, indent: string): string[] {
  const inner = `${indent}  `;
  return [
    `${indent}enum ${e.name} {`,
    ...optionStatements(EnumOptionsSchema, e.options, inner),
    ...e.value.map(
      (v) => `${inner}${v.name} = ${v.number}${bracketed((at) => optionEntries(EnumValueOptionsSchema, v.options, at), inner)};`,
    ),
    ...reservedLines(e.reservedRange, e.reservedName, false, MAX_ENUM_NUMBER, inner),
    `${indent}}`,
  ];
}

function extendBlocks(exts: FieldDescriptorProto[], indent: string): string[] {
  const lines: string[] = [];
  // Consecutive extensions of the same options message share one block, keeping declaration order.
  exts.forEach((x, i) => {
    if (i === 0 || exts[i - 1]?.extendee !== x.extendee) {
      if (i > 0) lines.push(`${indent}}`, "");
      lines.push(`${indent}extend ${typeRef(x.extendee)} {`);
    }
    lines.push(fieldLine(x, false, `${indent}  `));
  });
  if (exts.length) lines.push(`${indent}}`);
  return lines;
}

function messageBlock(m: DescriptorProto, indent: string): string[] {
  if (m.options?.mapEntry) throw new Error(`map entry ${m.name} is not supported`);
  const inner = `${indent}  `;
  const lines = [`${indent}message ${m.name} {`, ...optionStatements(MessageOptionsSchema, m.options, inner)];
  // Fields of a oneof are contiguous in declaration order, so they can be grouped as we go.
  let open: number | undefined;
  for (const f of m.field) {
    const oneof = isFieldSet(f, FieldDescriptorProtoSchema.field.oneofIndex) ? f.oneofIndex : undefined;
    if (open !== undefined && oneof !== open) lines.push(`${inner}}`);
    if (oneof !== undefined && oneof !== open) {
      const decl = m.oneofDecl[oneof];
      if (!decl) throw new Error(`field ${f.name} refers to a missing oneof`);
      lines.push(`${inner}oneof ${decl.name} {`, ...optionStatements(OneofOptionsSchema, decl.options, `${inner}  `));
    }
    open = oneof;
    lines.push(fieldLine(f, oneof !== undefined, oneof !== undefined ? `${inner}  ` : inner));
  }
  if (open !== undefined) lines.push(`${inner}}`);
  for (const e of m.enumType) lines.push(...enumBlock(e, inner));
  for (const n of m.nestedType) lines.push(...messageBlock(n, inner));
  lines.push(...extendBlocks(m.extension, inner));
  for (const r of m.extensionRange) {
    const opts = bracketed((at) => optionEntries(ExtensionRangeOptionsSchema, r.options, at), inner);
    lines.push(`${inner}extensions ${ranges([r], true, MAX_FIELD_NUMBER)}${opts};`);
  }
  lines.push(...reservedLines(m.reservedRange, m.reservedName, true, MAX_FIELD_NUMBER, inner), `${indent}}`);
  return lines;
}

function generate(version: string): string {
  if (file.syntax !== "" && file.syntax !== "proto2") throw new Error(`syntax ${file.syntax} is not supported`);
  if (file.service.length) throw new Error("services are not supported");
  const header = [
    `// Generated by scripts/vendor-validate-proto.ts from the descriptor embedded in`,
    `// @bufbuild/protovalidate@${version}. DO NOT EDIT BY HAND; rerun the script instead.`,
    `//`,
    `// Upstream: buf/validate/validate.proto (https://github.com/bufbuild/protovalidate),`,
    `// Copyright Buf Technologies, Inc., licensed under the Apache License, Version 2.0`,
    `// (http://www.apache.org/licenses/LICENSE-2.0). The upstream comments and`,
    `// documentation are not part of the descriptor and are therefore missing here.`,
  ];
  const sections: string[][] = [
    header,
    [`syntax = "proto2";`],
    [`package ${file.package};`],
    file.dependency.map(
      (d, i) => `import ${file.publicDependency.includes(i) ? "public " : file.weakDependency.includes(i) ? "weak " : ""}"${d}";`,
    ),
    optionStatements(FileOptionsSchema, file.options, ""),
    extendBlocks(file.extension, ""),
    ...file.messageType.map((m) => messageBlock(m, "")),
    ...file.enumType.map((e) => enumBlock(e, "")),
  ];
  return `${sections
    .filter((s) => s.length)
    .map((s) => s.join("\n"))
    .join("\n\n")}\n`;
}

// ------------------------------------------------------------------- check

function compileWithBuf(source: string): FileDescriptorProto {
  // A scratch module keeps the check independent of the repo's buf.yaml and its other modules.
  const dir = mkdtempSync(join(tmpdir(), "vendor-validate-"));
  try {
    mkdirSync(join(dir, dirname(file.name)), { recursive: true });
    writeFileSync(join(dir, file.name), source);
    writeFileSync(join(dir, "buf.yaml"), "version: v2\n");
    const args = ["build", dir, "--exclude-imports", "--exclude-source-info", "--as-file-descriptor-set", "-o", "-#format=binpb"];
    const image = execFileSync(process.execPath, [require.resolve("@bufbuild/buf/bin/buf"), ...args], {
      maxBuffer: 64 << 20,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const built = fromBinary(FileDescriptorSetSchema, image).file.find((f) => f.name === file.name);
    if (!built) throw new Error(`buf did not produce ${file.name}`);
    return built;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// JSON with the registry shows custom options by name, which makes differences readable.
function differences(a: unknown, b: unknown, path: string, out: string[]): void {
  if (out.length >= 10 || JSON.stringify(a) === JSON.stringify(b)) return;
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out);
  } else {
    const show = (v: unknown) => (v === undefined ? "(unset)" : JSON.stringify(v).slice(0, 200));
    out.push(`  ${path}: expected ${show(a)}, vendored file has ${show(b)}`);
  }
}

function check(expectedSource: string, version: string): boolean {
  if (!existsSync(vendoredPath)) {
    console.error(`${vendoredPath} is missing; run: npx tsx scripts/vendor-validate-proto.ts`);
    return false;
  }
  const source = readFileSync(vendoredPath, "utf8");
  let built: FileDescriptorProto;
  try {
    built = compileWithBuf(source);
  } catch {
    console.error(`buf could not compile ${vendoredPath} (see buf's errors above; they name a scratch copy of the file)`);
    return false;
  }
  let ok = true;
  const want = toBinary(FileDescriptorProtoSchema, file);
  const got = toBinary(FileDescriptorProtoSchema, built);
  if (!Buffer.from(want).equals(Buffer.from(got))) {
    ok = false;
    const diffs: string[] = [];
    const json = (f: FileDescriptorProto) => toJson(FileDescriptorProtoSchema, f, { registry });
    differences(json(file), json(built), "file", diffs);
    console.error(
      `${vendoredPath} does not compile to the descriptor embedded in @bufbuild/protovalidate:\n` +
        (diffs.length ? diffs.join("\n") : "  (same content, different binary encoding)"),
    );
  }
  if (source !== expectedSource) {
    ok = false;
    console.error(
      `${vendoredPath} differs from the generated text (edited by hand or stale); run: npx tsx scripts/vendor-validate-proto.ts`,
    );
  }
  if (ok) console.log(`${vendoredPath} matches the descriptor embedded in @bufbuild/protovalidate@${version}`);
  return ok;
}

const version = protovalidateVersion();
const source = generate(version);
if (process.argv.includes("--check")) {
  process.exitCode = check(source, version) ? 0 : 1;
} else {
  mkdirSync(dirname(vendoredPath), { recursive: true });
  writeFileSync(vendoredPath, source);
  console.log(`wrote ${vendoredPath}`);
}
