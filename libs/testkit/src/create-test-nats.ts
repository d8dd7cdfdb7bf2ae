import { randomBytes } from "node:crypto";
import { streamNamePrefixFor } from "@paymesh/events";
import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from "nats";

/** A NATS connection for one test file, with a subject prefix no other test uses. */
export interface TestNats {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** `t_` + 8 random hex characters; pass it wherever code takes a subject prefix. */
  prefix: string;
  /** Deletes every stream named under the prefix (e.g. `T_AB12CD34_LEDGER`), then closes the connection. */
  cleanup(): Promise<void>;
}

/**
 * Connects to the local JetStream server (`NATS_URL`, default `nats://127.0.0.1:4222`) and
 * picks a unique prefix, so test files running in parallel own disjoint subjects and streams.
 */
export async function createTestNats(): Promise<TestNats> {
  const nc = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
  const prefix = `t_${randomBytes(4).toString("hex")}`;
  const jsm = await nc.jetstreamManager();
  return {
    nc,
    js: nc.jetstream(),
    jsm,
    prefix,
    async cleanup() {
      try {
        const owned = streamNamePrefixFor(prefix);
        const names: string[] = [];
        for await (const info of jsm.streams.list()) {
          if (info.config.name.startsWith(owned)) names.push(info.config.name);
        }
        await Promise.all(names.map((name) => jsm.streams.delete(name)));
      } finally {
        await nc.close();
      }
    },
  };
}
