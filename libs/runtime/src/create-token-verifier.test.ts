import { describe, expect, it } from "vitest";
import { createTokenVerifier, TokenError } from "./create-token-verifier.js";
import { signToken } from "./sign-token.js";

const auth = { secret: "s".repeat(32), issuer: "paymesh", audience: "paymesh" };

describe("createTokenVerifier", () => {
  it("remembers a verified token only until it expires", async () => {
    const verify = createTokenVerifier({ ...auth, clockToleranceSeconds: 0 });
    const token = await signToken({ ...auth, subject: "alice", role: "user", expiresInSeconds: 2 });
    expect(await verify(token)).toEqual({ subject: "alice", role: "user" });
    expect(await verify(token)).toEqual({ subject: "alice", role: "user" });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await expect(verify(token)).rejects.toThrow(TokenError);
  });

  it("does not cache a refusal as an acceptance", async () => {
    const verify = createTokenVerifier(auth);
    const forged = await signToken({ ...auth, secret: "x".repeat(32), subject: "mallory", role: "operator" });
    await expect(verify(forged)).rejects.toThrow(/signature/);
    await expect(verify(forged)).rejects.toThrow(/signature/);
  });
});
