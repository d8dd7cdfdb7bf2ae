// Every List RPC of every service in proto/paymesh pages the same way: the request has page_size
// and page_token, the response next_page_token, and protovalidate bounds them as the handlers'
// pager (readPageRequest in libs/runtime) does, so a new List RPC or an edited bound that drifts
// from the pager fails here rather than as a surprise INVALID_ARGUMENT (or none) on the wire.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { create, type DescMessage, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { createValidator } from "@bufbuild/protovalidate";
import { MAX_PAGE_SIZE } from "@paymesh/runtime";
import { describe, expect, it } from "vitest";

const GEN = fileURLToPath(new URL("../gen/paymesh", import.meta.url));

/** Every List method of every service generated from proto/paymesh (the test-only echo service aside). */
async function listMethods(): Promise<DescMethod[]> {
  const methods: DescMethod[] = [];
  for (const context of readdirSync(GEN).filter((name) => name !== "testing")) {
    for (const file of readdirSync(join(GEN, context, "v1")).filter((name) => name.endsWith("_pb.ts"))) {
      const module = (await import(`@paymesh/gen/paymesh/${context}/v1/${file.slice(0, -".ts".length)}`)) as Record<string, unknown>;
      const services = Object.values(module).filter((value): value is DescService => (value as DescService)?.kind === "service");
      methods.push(...services.flatMap((service) => service.methods.filter((method) => method.name.startsWith("List"))));
    }
  }
  return methods;
}

const methods = await listMethods();
const validator = createValidator();

/** The protovalidate violations of `init` on `field` alone: other fields of the request may be required. */
function violationsOn(schema: DescMessage, field: string, init: Record<string, unknown>): string[] {
  const result = validator.validate(schema, create(schema, init));
  if (result.kind !== "invalid") return [];
  return result.error.violations
    .filter((violation) => violation.field[0]?.kind === "field" && violation.field[0].name === field)
    .map((violation) => violation.toString());
}

describe("List RPCs", () => {
  it("are found, so the checks below check something", () => {
    expect(methods.map((method) => `${method.parent.name}.${method.name}`).sort()).toEqual(
      expect.arrayContaining([
        "HandleService.ListMyHandles",
        "LedgerService.ListAccounts",
        "LedgerService.ListStatement",
        "OperationsService.ListParkedEvents",
        "TransferService.ListTransfers",
      ]),
    );
  });

  it.each(methods.map((method) => [`${method.parent.name}.${method.name}`, method] as const))(
    "%s takes page_size and page_token and answers next_page_token",
    (_, method) => {
      expect(method.input.fields.find((field) => field.name === "page_size")?.scalar).toBeDefined();
      expect(method.input.fields.find((field) => field.name === "page_token")?.scalar).toBeDefined();
      expect(method.output.fields.find((field) => field.name === "next_page_token")?.scalar).toBeDefined();
    },
  );

  it.each(methods.map((method) => [`${method.parent.name}.${method.name}`, method] as const))(
    "%s accepts page_size 0 to the pager's maximum and page tokens up to 256 characters, nothing more",
    (_, method) => {
      for (const pageSize of [0, 1, MAX_PAGE_SIZE]) expect(violationsOn(method.input, "page_size", { pageSize })).toEqual([]);
      expect(violationsOn(method.input, "page_size", { pageSize: MAX_PAGE_SIZE + 1 })).toHaveLength(1);
      expect(violationsOn(method.input, "page_token", { pageToken: "x".repeat(256) })).toEqual([]);
      expect(violationsOn(method.input, "page_token", { pageToken: "x".repeat(257) })).toHaveLength(1);
    },
  );
});
