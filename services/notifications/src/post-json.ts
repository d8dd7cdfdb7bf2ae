import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { guardedLookup, isInternalAddress } from "./endpoint-guard.js";

/** What one HTTP attempt came to. */
export interface PostOutcome {
  /** The HTTP status; 0 when no answer came (refused, reset, timed out, refused by the guard). */
  statusCode: number;
  latencyMs: number;
  /** Why it failed, for a person; "" on a 2xx. */
  error: string;
  /** The answer's Retry-After, in milliseconds, when it gave one. */
  retryAfterMs?: number;
}

export interface PostOptions {
  timeoutMs: number;
  /** Let requests reach internal addresses (development and tests). */
  allowPrivate: boolean;
}

/** A Retry-After value (seconds, or an HTTP date) in milliseconds from now. */
function retryAfterOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * POSTs `body` to `url` with `headers`, within `timeoutMs` all told, reading (and discarding)
 * at most 64 KiB of the answer. Every address it connects to passes the endpoint guard.
 */
export function postJson(url: URL, headers: Record<string, string>, body: string, options: PostOptions): Promise<PostOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!options.allowPrivate && isIP(host) !== 0 && isInternalAddress(host)) {
    return Promise.resolve({ statusCode: 0, latencyMs: 0, error: `${host} is a private or loopback address` });
  }
  return new Promise((resolve) => {
    const client = url.protocol === "https:" ? https : http;
    const request = client.request(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers },
        lookup: guardedLookup(options.allowPrivate),
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (response) => {
        let read = 0;
        response.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read > 65_536) response.destroy();
        });
        const finish = () => {
          const statusCode = response.statusCode ?? 0;
          const ok = statusCode >= 200 && statusCode < 300;
          const retryAfter = response.headers["retry-after"];
          resolve({
            statusCode,
            latencyMs: elapsed(),
            error: ok ? "" : `answered ${statusCode}`,
            retryAfterMs: retryAfterOf(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
          });
        };
        response.on("end", finish);
        response.on("close", finish);
        response.on("error", finish);
      },
    );
    request.on("error", (error: Error & { code?: string }) => {
      const reason = error.name === "AbortError" ? `no answer within ${options.timeoutMs} ms` : error.message;
      resolve({ statusCode: 0, latencyMs: elapsed(), error: reason });
    });
    request.end(body);
  });
}
