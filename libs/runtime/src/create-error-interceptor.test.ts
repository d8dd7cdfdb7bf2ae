import { Code, ConnectError, type UnaryRequest } from "@connectrpc/connect";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createErrorInterceptor } from "./create-error-interceptor.js";

/** An error as postgres.js reports it: its code is a SQLSTATE or its own connection code. */
const dbError = (code: string, message: string) => Object.assign(new Error(message), { code });

/** What a call answers when its handler throws `error`, as it leaves the error boundary. */
async function answerTo(error: unknown): Promise<ConnectError> {
  const interceptor = createErrorInterceptor({ logger: pino({ level: "silent" }) });
  const call = interceptor(() => Promise.reject(error));
  const thrown = await call({ url: "/paymesh.testing.v1.EchoService/Echo" } as UnaryRequest).catch((caught: unknown) => caught);
  expect(thrown).toBeInstanceOf(ConnectError);
  return thrown as ConnectError;
}

describe("createErrorInterceptor", () => {
  it.each([
    ["a refused connection", dbError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432")],
    ["a connection the server closed", dbError("CONNECTION_CLOSED", "write CONNECTION_CLOSED 127.0.0.1:5432")],
    [
      "a server starting up, wrapped as drizzle wraps it",
      new Error("Failed query: select 1", { cause: dbError("57P03", "the database system is starting up") }),
    ],
  ])("answers UNAVAILABLE, not INTERNAL, for %s", async (_, error) => {
    const answer = await answerTo(error);
    expect(answer.code).toBe(Code.Unavailable);
    expect(answer.rawMessage).toBe("the database cannot be reached just now; retry the same request shortly");
  });

  it("still hides any other database error behind INTERNAL", async () => {
    const answer = await answerTo(dbError("42P01", 'relation "secret_table" does not exist'));
    expect(answer.code).toBe(Code.Internal);
    expect(answer.rawMessage).not.toContain("secret_table");
  });
});
