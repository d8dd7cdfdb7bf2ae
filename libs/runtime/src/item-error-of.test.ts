import { Code } from "@connectrpc/connect";
import { FailDetailSchema, SleepResponseSchema } from "@paymesh/gen/paymesh/testing/v1/echo_pb";
import { expect, it } from "vitest";
import { DomainError } from "./domain-error.js";
import { errorDetail } from "./error-detail.js";
import { itemErrorOf } from "./item-error-of.js";

it("gives a batch item the code, message and detail a single call would have failed with", () => {
  const error = new DomainError("not_found", "no such widget", {}, [errorDetail(FailDetailSchema, { reason: "missing", ids: ["w1"] })]);
  const item = itemErrorOf(error, FailDetailSchema);
  expect(item).toMatchObject({ code: Code.NotFound, message: "no such widget", detail: { reason: "missing", ids: ["w1"] } });
  expect(itemErrorOf(error, SleepResponseSchema).detail).toBeUndefined();
  expect(itemErrorOf(new DomainError("aborted", "conflict"), FailDetailSchema)).toEqual({
    code: Code.Aborted,
    message: "conflict",
    detail: undefined,
  });
});
