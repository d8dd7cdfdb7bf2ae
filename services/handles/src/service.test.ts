import { randomUUID } from "node:crypto";
import { fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { EventHeaders, streamNameFor } from "@paymesh/events";
import { HandleDeactivatedSchema, HandleRegisteredSchema, HandleUpdatedSchema } from "@paymesh/gen/paymesh/handles/v1/events_pb";
import { type Handle, HandleStatus } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { MAX_PAGE_SIZE } from "@paymesh/runtime";
import { connectErrorOf } from "@paymesh/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Directory, startDirectory } from "../test/start-directory.js";

/** The brief's bound: a change is visible on every instance within a second. */
const STALENESS_BOUND_MS = 1_000;

// Long cache TTLs, so that only the invalidation can make a second instance see a change in time.
const ENV = {
  HANDLES_LRU_TTL_MS: "600000",
  HANDLES_NEGATIVE_TTL_MS: "600000",
  OUTBOX_RETENTION_MS: "3600000",
  // Registration rules are tested here, many refusals per caller; metering is rate-limit.test.ts's.
  HANDLES_BUCKET_CAPACITY: "100000",
};

let dir: Directory;
let second: Awaited<ReturnType<Directory["another"]>>;
let shortCooldown: Awaited<ReturnType<Directory["another"]>>;

beforeAll(async () => {
  dir = await startDirectory(ENV);
  second = await dir.another(ENV);
  shortCooldown = await dir.another({ ...ENV, HANDLES_COOLDOWN_SECONDS: "1" });
});

afterAll(async () => {
  await dir?.stop();
});

/** Resolves `handle` on `target` as a service (exempt from the bucket), or gives the error code. */
const serviceClients = new Map<string, ReturnType<Directory["as"]>>();
async function resolveOn(target: { url: string }, handle: string) {
  let client = serviceClients.get(target.url);
  if (client === undefined) {
    client = dir.as("transfers", "service", target);
    serviceClients.set(target.url, client);
  }
  try {
    const { resolved } = await client.resolveHandle({ handle });
    return resolved!;
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

/** Polls until `probe` gives `expected`, failing if it takes longer than the staleness bound. */
async function withinBound<T>(probe: () => Promise<T>, expected: T): Promise<number> {
  const start = performance.now();
  await expect.poll(probe, { timeout: STALENESS_BOUND_MS, interval: 5 }).toEqual(expected);
  return performance.now() - start;
}

describe("register → resolve → update → deactivate, seen by a second instance", () => {
  it("reflects each step on the other instance within the bound", async () => {
    const alice = dir.as("alice");
    const [first, other] = [await dir.openAccount("alice"), await dir.openAccount("alice")];

    // Not registered yet: the second instance caches the miss (for 10 minutes here).
    expect(await resolveOn(second, "@Alice.W")).toBe(Code.NotFound);
    expect(await resolveOn(second, "alice.w")).toBe(Code.NotFound);

    const { handle } = await alice.registerHandle({ handle: "@Alice.W", accountId: first, displayName: "  Alice   Wonderland " });
    expect(handle).toMatchObject({
      handle: "@alice.w",
      accountId: first,
      owner: "alice",
      displayName: "Alice Wonderland",
      network: "paymesh",
      status: HandleStatus.ACTIVE,
      verified: false,
    });
    await withinBound(async () => {
      const r = await resolveOn(second, "ALICE.W");
      return typeof r === "number" ? r : r.accountId;
    }, first);

    // A person sees the masked name and no owner; a service also sees the owner.
    const { resolved } = await dir.as("bob", "user", second).resolveHandle({ handle: "alice.w" });
    expect(resolved).toMatchObject({
      handle: "@alice.w",
      accountId: first,
      maskedDisplayName: "Alice W.",
      network: "paymesh",
      status: HandleStatus.ACTIVE,
      verified: false,
      owner: "",
    });
    expect(await resolveOn(second, "@alice.w")).toMatchObject({ owner: "alice", maskedDisplayName: "Alice W." });

    // Update on the first instance while the second holds the old value in its LRU.
    await alice.updateHandle({ handle: "@alice.w", displayName: "Alice Liddell", accountId: other });
    await withinBound(async () => {
      const r = await resolveOn(second, "@alice.w");
      return typeof r === "number" ? r : [r.accountId, r.maskedDisplayName];
    }, [other, "Alice L."]);

    await alice.deactivateHandle({ handle: "alice.w" });
    await withinBound(() => resolveOn(second, "@alice.w"), Code.NotFound);
    expect(await resolveOn(dir.handles, "@alice.w")).toBe(Code.NotFound);

    // The owner still sees it, deactivated.
    const { handle: got } = await alice.getHandle({ handle: "@alice.w" });
    expect(got).toMatchObject({ status: HandleStatus.DEACTIVATED, accountId: other, displayName: "Alice Liddell" });
  });

  it("publishes HandleRegistered, HandleUpdated and HandleDeactivated on the stream", async () => {
    const account = await dir.openAccount("erin");
    const erin = dir.as("erin");
    await erin.registerHandle({ handle: "erin_events", accountId: account, displayName: "Erin Events" });
    await erin.updateHandle({ handle: "erin_events", displayName: "Erin Evans" });
    await erin.updateHandle({ handle: "erin_events", displayName: "Erin Evans" }); // no change: no event
    await erin.deactivateHandle({ handle: "erin_events" });
    await erin.deactivateHandle({ handle: "erin_events" }); // idempotent: no event
    const events = await expect
      .poll(async () => (await readEvents()).filter((e) => e.handle.handle === "@erin_events"), { timeout: 10_000, interval: 100 })
      .toHaveLength(3)
      .then(async () => (await readEvents()).filter((e) => e.handle.handle === "@erin_events"));
    expect(events.map((e) => [e.subject, e.type])).toEqual([
      [`${dir.mesh.prefix}.handles.handle_registered`, "paymesh.handles.v1.HandleRegistered"],
      [`${dir.mesh.prefix}.handles.handle_updated`, "paymesh.handles.v1.HandleUpdated"],
      [`${dir.mesh.prefix}.handles.handle_deactivated`, "paymesh.handles.v1.HandleDeactivated"],
    ]);
    expect(events.map((e) => [e.handle.displayName, e.handle.status, e.handle.owner, e.handle.accountId])).toEqual([
      ["Erin Events", HandleStatus.ACTIVE, "erin", account],
      ["Erin Evans", HandleStatus.ACTIVE, "erin", account],
      ["Erin Evans", HandleStatus.DEACTIVATED, "erin", account],
    ]);
  });
});

describe("bad input is refused with the right code and changes nothing", () => {
  let bobAccount: string;
  beforeAll(async () => {
    bobAccount = await dir.openAccount("bob");
    await dir.as("bob").registerHandle({ handle: "bob", accountId: bobAccount, displayName: "Bob Marley" });
  });

  async function refused(call: () => Promise<unknown>, code: Code, message?: RegExp) {
    const before = await dir.snapshot();
    const error = await connectErrorOf(call());
    expect(Code[error.code]).toBe(Code[code]);
    if (message) expect(error.rawMessage).toMatch(message);
    expect(await dir.snapshot()).toEqual(before);
    return error;
  }

  it("refuses malformed handles and display names", async () => {
    const carol = dir.as("carol");
    const account = await dir.openAccount("carol");
    for (const handle of ["ab", "bob!", "@@bob", "a".repeat(31), "bøb", "", "b ob"]) {
      await refused(() => carol.registerHandle({ handle, accountId: account, displayName: "Carol" }), Code.InvalidArgument);
      await refused(() => carol.resolveHandle({ handle }), Code.InvalidArgument);
    }
    await refused(() => carol.registerHandle({ handle: "carol", accountId: "not-a-uuid", displayName: "Carol" }), Code.InvalidArgument);
    for (const displayName of ["", "   ", "Carol\u202Elortnoc", "Carol\u0007", "Carol\u0000", "x".repeat(101)]) {
      await refused(() => carol.registerHandle({ handle: "carol", accountId: account, displayName }), Code.InvalidArgument);
    }
    await refused(() => dir.as("bob").updateHandle({ handle: "bob", displayName: "Bob\u0000" }), Code.InvalidArgument, /^display_name: /);
  });

  it("refuses reserved names", async () => {
    const account = await dir.openAccount("mallory");
    for (const handle of ["admin", "@Support", "PAYMESH", "root", "system", "help", "security", "pay.mesh", "paymesh_help"]) {
      await refused(
        () => dir.as("mallory").registerHandle({ handle, accountId: account, displayName: "Mallory" }),
        Code.InvalidArgument,
        /reserved/,
      );
    }
  });

  it("refuses a taken handle, and says so to its own holder differently", async () => {
    const account = await dir.openAccount("mallory");
    await refused(
      () => dir.as("mallory").registerHandle({ handle: "@BOB", accountId: account, displayName: "Mallory" }),
      Code.AlreadyExists,
      /taken/,
    );
    await refused(
      () => dir.as("bob").registerHandle({ handle: "bob", accountId: bobAccount, displayName: "Bob" }),
      Code.AlreadyExists,
      /already hold/,
    );
  });

  it("refuses a handle that looks like another one, active or deactivated, naming that one only to its holder", async () => {
    const [mallory, malloryAccount] = [dir.as("mallory"), await dir.openAccount("mallory")];
    const register = (handle: string, as = mallory, accountId = malloryAccount) =>
      as.registerHandle({ handle, accountId, displayName: "Someone" });
    // Separators anywhere, and confusable characters, against bob's @bob.
    for (const handle of ["b0b", "bob_", "_bob", ".bob.", "-bob-", "b.o.b", "b__ob", "B0B", "b--0b"]) {
      const error = await refused(() => register(handle), Code.AlreadyExists, /looks too much like a handle someone already has/);
      expect(error.rawMessage.replace(`@${handle.toLowerCase()}`, "")).not.toMatch(/@bob/);
    }
    const olgaAccount = await dir.openAccount("olga");
    await register("@modern", dir.as("olga"), olgaAccount);
    await register("@william", dir.as("olga"), olgaAccount);
    await register("@wendy", dir.as("olga"), olgaAccount);
    for (const handle of ["modem", "wi11iam", "wil1iarn", "vvendy"])
      await refused(() => register(handle), Code.AlreadyExists, /looks too much/);
    // A deactivated handle may come back, so its lookalikes stay refused.
    await dir.as("olga").deactivateHandle({ handle: "wendy" });
    await refused(() => register("vvendy"), Code.AlreadyExists, /looks too much/);
    // Its holder is told which of theirs it looks like.
    await refused(() => register("b0b", dir.as("bob"), bobAccount), Code.AlreadyExists, /looks too much like @bob, which is yours/);
    // Anything a reader tells apart is fine.
    expect((await register("bobby")).handle?.handle).toBe("@bobby");
  });

  it("lets only one of two lookalikes registered at once through", async () => {
    const accounts = await Promise.all(["rita", "sam"].map((owner) => dir.openAccount(owner)));
    const results = await Promise.allSettled(
      [
        ["rita", "race.to.it"],
        ["sam", "race_to_1t"],
      ].map(([owner, handle], i) => dir.as(owner!).registerHandle({ handle: handle!, accountId: accounts[i]!, displayName: "Racer" })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const [loser] = results.filter((r) => r.status === "rejected");
    expect(ConnectError.from(loser!.reason).code).toBe(Code.AlreadyExists);
  });

  it("refuses someone else's account, an unknown one and a closed one, on register and update", async () => {
    const mallory = dir.as("mallory");
    const unknown = randomUUID();
    await refused(
      () => mallory.registerHandle({ handle: "mallory1", accountId: bobAccount, displayName: "M" }),
      Code.PermissionDenied,
      /not one of yours/,
    );
    await refused(
      () => mallory.registerHandle({ handle: "mallory1", accountId: unknown, displayName: "M" }),
      Code.PermissionDenied,
      /not one of yours/,
    );
    const closed = await dir.openAccount("mallory");
    await dir.closeAccount(closed);
    await refused(
      () => mallory.registerHandle({ handle: "mallory1", accountId: closed, displayName: "M" }),
      Code.FailedPrecondition,
      /closed/,
    );

    await refused(() => dir.as("bob").updateHandle({ handle: "bob", accountId: closed }), Code.PermissionDenied, /not one of yours/);
    const bobClosed = await dir.openAccount("bob");
    await dir.closeAccount(bobClosed);
    await refused(() => dir.as("bob").updateHandle({ handle: "bob", accountId: bobClosed }), Code.FailedPrecondition, /closed/);
    await refused(() => dir.as("bob").updateHandle({ handle: "bob" }), Code.InvalidArgument, /set display_name or account_id/);
    // An operator may update, but only to an account of the handle's owner.
    await refused(
      () => dir.as("ops", "operator").updateHandle({ handle: "bob", accountId: closed }),
      Code.PermissionDenied,
      /handle owner's/,
    );
  });

  it("lets nobody but the owner or an operator see or change a handle, and tells them nothing", async () => {
    const mallory = dir.as("mallory");
    const theirs = await refused(() => mallory.getHandle({ handle: "bob" }), Code.PermissionDenied);
    const missing = await refused(() => mallory.getHandle({ handle: "nobody_here" }), Code.PermissionDenied);
    expect(theirs.rawMessage.replace("@bob", "@x")).toBe(missing.rawMessage.replace("@nobody_here", "@x"));
    await refused(() => mallory.updateHandle({ handle: "bob", displayName: "Not Bob" }), Code.PermissionDenied);
    await refused(() => mallory.deactivateHandle({ handle: "bob" }), Code.PermissionDenied);
    await refused(() => mallory.deactivateHandle({ handle: "nobody_here" }), Code.PermissionDenied);
    await refused(() => dir.as("transfers", "service").deactivateHandle({ handle: "bob" }), Code.PermissionDenied);
    await refused(() => dir.as("ops", "operator").getHandle({ handle: "nobody_here" }), Code.NotFound);
    const { handle } = await dir.as("ops", "operator").getHandle({ handle: "BOB" });
    expect(handle).toMatchObject({ handle: "@bob", owner: "bob", accountId: bobAccount, displayName: "Bob Marley" });
  });

  it("holds a deactivated handle back from others for the cooldown, but not from its owner", async () => {
    const [frankAccount, malloryAccount] = [await dir.openAccount("frank"), await dir.openAccount("mallory")];
    const frank = dir.as("frank");
    await frank.registerHandle({ handle: "frank", accountId: frankAccount, displayName: "Frank Zappa" });
    await frank.deactivateHandle({ handle: "frank" });
    await refused(() => frank.updateHandle({ handle: "frank", displayName: "Frank" }), Code.FailedPrecondition, /deactivated/);
    await refused(
      () => dir.as("mallory").registerHandle({ handle: "frank", accountId: malloryAccount, displayName: "Mallory" }),
      Code.AlreadyExists,
      /held back/,
    );

    // Its owner takes it back at once.
    const { handle: back } = await frank.registerHandle({ handle: "frank", accountId: frankAccount, displayName: "Frank Vincent Zappa" });
    expect(back).toMatchObject({ status: HandleStatus.ACTIVE, owner: "frank" });
    expect(await resolveOn(second, "frank")).toMatchObject({ maskedDisplayName: "Frank Z.", owner: "frank" });

    // After the cooldown (1 s on this instance) someone else may take it; it is then theirs alone.
    await frank.deactivateHandle({ handle: "frank" });
    const mallory = dir.as("mallory", "user", shortCooldown);
    await refused(
      () => mallory.registerHandle({ handle: "frank", accountId: malloryAccount, displayName: "Mallory Knox" }),
      Code.AlreadyExists,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const { handle: taken } = await mallory.registerHandle({ handle: "frank", accountId: malloryAccount, displayName: "Mallory Knox" });
    expect(taken).toMatchObject({ owner: "mallory", accountId: malloryAccount, status: HandleStatus.ACTIVE });
    await withinBound(async () => {
      const r = await resolveOn(second, "frank");
      return typeof r === "number" ? r : r.owner;
    }, "mallory");
    await refused(() => frank.getHandle({ handle: "frank" }), Code.PermissionDenied);
    expect((await frank.listMyHandles({})).handles.map((h) => h.handle)).not.toContain("@frank");
  });
});

describe("ListMyHandles", () => {
  it("pages through the caller's own handles only", async () => {
    const account = await dir.openAccount("gina");
    const gina = dir.as("gina");
    for (const name of ["gina_c", "gina_a", "gina_d", "gina_b", "gina_e"]) {
      await gina.registerHandle({ handle: name, accountId: account, displayName: "Gina Lollo" });
    }
    await gina.deactivateHandle({ handle: "gina_e" });
    const seen: Handle[] = [];
    let pageToken = "";
    let pages = 0;
    do {
      const page = await gina.listMyHandles({ pageSize: 2, pageToken });
      seen.push(...page.handles);
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== "");
    expect(pages).toBe(3);
    expect(seen.map((h) => [h.handle, h.status])).toEqual([
      ["@gina_a", HandleStatus.ACTIVE],
      ["@gina_b", HandleStatus.ACTIVE],
      ["@gina_c", HandleStatus.ACTIVE],
      ["@gina_d", HandleStatus.ACTIVE],
      ["@gina_e", HandleStatus.DEACTIVATED],
    ]);
    expect(seen.every((h) => h.owner === "gina" && h.accountId === account)).toBe(true);
    expect((await dir.as("someone_else").listMyHandles({})).handles).toEqual([]);
    const error = await connectErrorOf(gina.listMyHandles({ pageToken: "forged" }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect((await connectErrorOf(gina.listMyHandles({ pageSize: MAX_PAGE_SIZE + 1 }))).code).toBe(Code.InvalidArgument);
    // A token continues the list of the caller it was issued to, no one else's.
    const { nextPageToken } = await gina.listMyHandles({ pageSize: 2 });
    expect((await connectErrorOf(dir.as("someone_else").listMyHandles({ pageToken: nextPageToken }))).code).toBe(Code.InvalidArgument);
  });
});

/** Every event on the handles stream, read with an ordered JetStream consumer. */
async function readEvents() {
  const stream = streamNameFor(dir.mesh.prefix, "handles");
  const { state } = await dir.mesh.nats.jsm.streams.info(stream);
  if (state.messages === 0) return [];
  const consumer = await dir.mesh.nats.js.consumers.get(stream);
  const messages = await consumer.fetch({ max_messages: state.messages, expires: 2_000 });
  const schemas = {
    HandleRegistered: HandleRegisteredSchema,
    HandleUpdated: HandleUpdatedSchema,
    HandleDeactivated: HandleDeactivatedSchema,
  };
  const events: Array<{ subject: string; type: string; handle: Handle }> = [];
  for await (const message of messages) {
    const type = message.headers?.get(EventHeaders.type) ?? "";
    const schema = schemas[type.split(".").pop() as keyof typeof schemas];
    events.push({ subject: message.subject, type, handle: fromBinary(schema, message.data).handle! });
    if (events.length === state.messages) break;
  }
  return events;
}
