import { connect } from "node:net";

export interface WaitForPortOptions {
  /** Give up after this long. Default 30 s: a server of this machine's starts in well under a second. */
  timeoutMs?: number;
  /** Checked between attempts; when it returns false the wait fails at once (the server exited). Default: always alive. */
  alive?: () => boolean;
}

/** Resolves once 127.0.0.1:`port` accepts a TCP connection: the server behind it listens. */
export async function waitForPort(port: number, options: WaitForPortOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (options.alive?.() === false) throw new Error(`the server for port ${port} exited before it listened`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.once("connect", () => done(true));
      socket.once("error", () => done(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listened on port ${port} within ${(options.timeoutMs ?? 30_000) / 1000} s`);
}
