import { describe, expect, it } from "vitest";
import { isReservedHandle } from "./reserved-handles.js";

describe("isReservedHandle", () => {
  it.each([
    "@admin",
    "@support",
    "@paymesh",
    "@root",
    "@system",
    "@help",
    "@security",
    "@ad_min",
    "@pay.mesh",
    "@paymesh_hq",
    "@s-u-p-p-o-r-t",
    "@adm1n",
    "@r00t",
    "@secur1ty",
    "@staff_",
    "@payrnesh",
    "@hel.p",
  ])("reserves %s", (handle) => expect(isReservedHandle(handle)).toBe(true));
  it.each(["@bob", "@administrators", "@suport", "@helpful", "@mesh", "@rooted"])("leaves %s", (handle) =>
    expect(isReservedHandle(handle)).toBe(false),
  );
});
