import { randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { CreateTransferRequestSchema } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import type { Role } from "@paymesh/runtime";
import { connectErrorOf, mintTestToken } from "@paymesh/testkit";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTransfersMesh, type TestUser, type TransfersMesh } from "../test/start-transfers-mesh.js";
import { transfers } from "./schema.js";

let m: TransfersMesh;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  m = await startTransfersMesh();
  alice = await m.user("alice", { balance: 100_000n });
  bob = await m.user("bob", { balance: 0n });
});

afterAll(async () => {
  await m?.stop();
});

/** A Connect call with a raw body over HTTP/1.1, as curl or a browser makes it. */
async function call(
  method: string,
  contentType: string,
  body: string | Uint8Array,
  as: { subject: string; role?: Role } = { subject: "alice" },
) {
  const res = await fetch(`${m.transfersUrl}/paymesh.transfers.v1.TransferService/${method}`, {
    method: "POST",
    headers: { "content-type": contentType, authorization: `Bearer ${await mintTestToken(as.subject, as.role)}` },
    body,
  });
  return { status: res.status, body: (await res.json()) as { code?: string; message?: string; transfer?: { amount: string } } };
}

/** What must stay as it was after a refusal: both balances and alice's transfers. */
async function state() {
  return {
    balances: [await m.balance(alice.accountId), await m.balance(bob.accountId)],
    transfers: (await m.transfersDb.select().from(transfers).where(eq(transfers.payer, "alice"))).length,
  };
}

/** A CreateTransfer body from alice to @bob with `amount` spliced in as written. */
const transferJson = (amount: string, extra = "") =>
  `{"idempotencyKey":"${randomUUID()}","fromAccountId":"${alice.accountId}","toHandle":"@bob","amount":${amount},"currency":"USD"${extra}}`;

/** Anything that would say what the database or the server run underneath. */
const LEAK = /sql|postgres|relation|insert|select|byte sequence|encoding|utf8|0x00|stack|\.ts:/i;

describe("CreateTransfer over Connect JSON reads the amount strictly", () => {
  it("refuses every spelling of an amount but the canonical decimal string, naming the field, and moves nothing", async () => {
    const before = await state();
    // Each of these was taken before, read as 1000, 16, 12, 12, 12, 12, 12, 3, 7, 9007199254740992 and 12.
    const spellings = ["1e3", '"0x10"', '" 12"', '"+12"', '"012"', "12.0", "12", '"0b11"', '"\\t7"', "9007199254740993", '"12 "'];
    // And these were refused already, with messages about the wrong thing ("out of range").
    spellings.push('"1e3"', '"1.0"', '"-0"', '"9223372036854775808"', "1.5", '"１２"', '" "');
    for (const amount of spellings) {
      const { status, body } = await call("CreateTransfer", "application/json", transferJson(amount));
      expect({ amount, status, code: body.code }).toEqual({ amount, status: 400, code: "invalid_argument" });
      expect(body.message, amount).toMatch(/^amount: must (be a JSON string of decimal digits|be between)/);
    }
    expect(await state()).toEqual(before);
  });

  it("takes the canonical form, and refuses the same forms in a limit policy", async () => {
    const { status, body } = await call("CreateTransfer", "application/json", transferJson('"12"'));
    expect({ status, amount: body.transfer?.amount }).toEqual({ status: 200, amount: "12" });
    const policy = (daily: string) => `{"policy":{"currency":"USD","perTransactionMax":"10","dailyMax":${daily},"monthlyMax":"1000"}}`;
    const refused = await call("SetLimitPolicy", "application/json", policy("1e2"), { subject: "ops", role: "operator" });
    expect(refused).toMatchObject({
      status: 400,
      body: { code: "invalid_argument", message: expect.stringMatching(/^policy\.daily_max: /) },
    });
    expect((await m.operator.getLimitPolicy({ currency: "USD" })).policy?.dailyMax).toBe(2_000_000n);
  });
});

describe("CreateTransfer refuses text no database can hold", () => {
  it("answers INVALID_ARGUMENT for a NUL in the memo or the idempotency key, records nothing and says nothing of SQL", async () => {
    const before = await state();
    for (const [field, request] of [
      ["memo", { memo: "lunch\u0000" }],
      ["idempotency_key", { idempotencyKey: "key\u0000" }],
    ] as const) {
      const refused = await connectErrorOf(
        alice.transfers.createTransfer({
          idempotencyKey: randomUUID(),
          fromAccountId: alice.accountId,
          to: { case: "toHandle", value: "@bob" },
          amount: 5n,
          currency: "USD",
          ...request,
        }),
      );
      expect(refused.code, field).toBe(Code.InvalidArgument);
      expect(refused.rawMessage).toBe(`${field}: must not contain the character U+0000 (NUL)`);
      expect(refused.rawMessage).not.toMatch(LEAK);
    }
    const json = await call("CreateTransfer", "application/json", transferJson('"5"', ',"memo":"a\\u0000"'));
    expect(json).toEqual({ status: 400, body: { code: "invalid_argument", message: "memo: must not contain the character U+0000 (NUL)" } });
    expect(await state()).toEqual(before);
  });

  it("refuses a memo that is not UTF-8, in a binary request or a JSON one, rather than storing U+FFFD", async () => {
    const before = await state();
    const request = create(CreateTransferRequestSchema, {
      idempotencyKey: randomUUID(),
      fromAccountId: alice.accountId,
      to: { case: "toHandle", value: "@bob" },
      amount: 5n,
      currency: "USD",
      memo: "café",
    });
    const binary = toBinary(CreateTransferRequestSchema, request);
    binary[binary.indexOf(0xc3)] = 0xff;
    const proto = await call("CreateTransfer", "application/proto", binary);
    expect(proto.status).toBe(500);
    expect(proto.body.message).toMatch(/^parse binary: .*not valid for encoding utf-8/);
    const json = new TextEncoder().encode(transferJson('"5"', ',"memo":"café"'));
    json[json.indexOf(0xc3)] = 0xff;
    expect(await call("CreateTransfer", "application/json", json)).toEqual({
      status: 400,
      body: { code: "invalid_argument", message: "the request is not valid UTF-8" },
    });
    expect(await state()).toEqual(before);
  });
});
