import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the receiver got. */
export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  json: { type: string; timestamp: string; data: Record<string, unknown> };
  headers: IncomingHttpHeaders;
  at: number;
}

/** What the receiver answers a request with. */
interface ReceiverAnswer {
  status: number;
  headers?: Record<string, string>;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Decides each answer; default 204. */
  answer: (request: ReceivedWebhook, attempt: number) => ReceiverAnswer;
  close(): Promise<void>;
}

/**
 * Verifies a Standard Webhooks signature the way a receiver would, written from the spec and
 * not with the service's code: HMAC-SHA256 over `id.timestamp.body` keyed by the base64 part of
 * the `whsec_` secret, compared in constant time with each `v1,` signature in the header.
 */
export function verifySignature(secret: string, request: Pick<ReceivedWebhook, "id" | "timestamp" | "signature" | "body">): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${request.id}.${request.timestamp}.${request.body}`).digest();
  return request.signature.split(" ").some((part) => {
    const [version, value] = part.split(",");
    if (version !== "v1" || value === undefined) return false;
    const given = Buffer.from(value, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** A webhook receiver on a free loopback port that records every request. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: "",
    received: [],
    answer: () => ({ status: 204 }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const request: ReceivedWebhook = {
        id: String(req.headers["webhook-id"]),
        timestamp: String(req.headers["webhook-timestamp"]),
        signature: String(req.headers["webhook-signature"]),
        body,
        json: JSON.parse(body),
        headers: req.headers,
        at: Date.now(),
      };
      receiver.received.push(request);
      const attempt = receiver.received.filter((earlier) => earlier.id === request.id).length;
      const { status, headers = {} } = receiver.answer(request, attempt);
      res.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
