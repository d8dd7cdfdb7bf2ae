import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createHttp2SessionManager } from "./create-http2-session-manager.js";

describe("createHttp2SessionManager", () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it("survives a GOAWAY on an idle connection followed at once by a new call (connect-es#1768)", async () => {
    const sessions: http2.ServerHttp2Session[] = [];
    const server = http2.createServer();
    server.on("session", (session) => sessions.push(session));
    server.on("stream", (stream) => {
      stream.respond({ ":status": 200 });
      stream.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const manager = createHttp2SessionManager(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    cleanups.push(() => {
      manager.abort();
      for (const session of sessions) session.destroy();
      server.close();
    });
    const call = async () => {
      const stream = await manager.request("POST", "/", {}, {});
      const { session } = stream;
      stream.resume();
      await new Promise((resolve) => stream.once("close", resolve));
      return session!;
    };

    const first = await call();
    // The race of the upstream defect, made certain: a call while the drained connection's socket closes.
    const second = new Promise<http2.Http2Session>((resolve, reject) => first.once("goaway", () => call().then(resolve, reject)));
    const firstClosed = new Promise((resolve) => first.once("close", resolve));
    sessions[0]!.goaway(http2.constants.NGHTTP2_NO_ERROR);

    // Unguarded, the deferred error is an uncaught exception here, which fails this test run.
    const replacement = await second;
    expect(replacement === first).toBe(false);
    await firstClosed;
    expect((await call()) === replacement).toBe(true);
  });
});
