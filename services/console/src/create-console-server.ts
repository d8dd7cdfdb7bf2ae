import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import { type AuthSettings, type Role, type ServiceName, signToken } from "@paymesh/runtime";

export interface ConsoleServerOptions {
  /** The built console: index.html and assets/ (see buildConsole). */
  staticDir: string;
  /** Where a browser reaches each service; given to the page as /config.json. */
  services: Readonly<Record<ServiceName, string>>;
  /**
   * `production` removes the development sign-in: /dev/token answers 404 like any unknown path,
   * and the page asks for a token from the identity provider instead.
   */
  nodeEnv: string;
  /**
   * Signs development tokens, which the services verify with the same settings. Required
   * outside production; under production it is not needed and should not be given.
   */
  auth?: AuthSettings | undefined;
  /** Default 127.0.0.1: the console is a development tool until it is put behind a proxy. */
  host?: string;
  /** Default 0 (any free port); `npm start` uses 7100. */
  port?: number;
}

export interface ConsoleServer {
  /** The console's origin, e.g. http://127.0.0.1:7100. */
  readonly url: string;
  close(): Promise<void>;
}

/** Who the development sign-in offers; anyone else still needs a real token. */
const DEVELOPMENT_PEOPLE: ReadonlyArray<{ subject: string; name: string; role: Role }> = [
  { subject: "alice", name: "Alice Anders", role: "user" },
  { subject: "bob", name: "Bob Brandt", role: "user" },
  { subject: "carol", name: "Carol Chen", role: "user" },
  { subject: "ops", name: "Operator", role: "operator" },
];

/** The services accept tokens at most an hour old, so a development session lasts an hour. */
const DEVELOPMENT_TOKEN_SECONDS = 3_600;

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

/**
 * Serves the built console, tells the page where the services are (/config.json) and, outside
 * production only, signs tokens for the demo people (POST /dev/token). The page talks to the
 * services directly with Connect-Web; this server never sees a payment.
 */
export async function createConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const development = options.nodeEnv !== "production";
  const devAuth = options.auth;
  if (development && devAuth === undefined) throw new Error("the development sign-in needs the services' token settings (auth)");
  const serviceOrigins = [...new Set(Object.values(options.services).map((url) => new URL(url).origin))];
  const securityHeaders = {
    "content-security-policy": [
      "default-src 'self'",
      `connect-src 'self' ${serviceOrigins.join(" ")}`,
      "img-src 'self' data:",
      "style-src 'self'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join("; "),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  };
  const config = JSON.stringify({
    services: options.services,
    signIn: development ? { kind: "development", people: DEVELOPMENT_PEOPLE } : { kind: "token" },
  });

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, cache = "no-cache") => {
    res.writeHead(status, { ...securityHeaders, "content-type": type, "cache-control": cache });
    res.end(body);
  };
  const sendJson = (res: ServerResponse, status: number, value: unknown) =>
    send(res, status, "application/json", JSON.stringify(value), "no-store");

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://console").pathname;
    if (path === "/healthz" || path === "/readyz") return sendJson(res, 200, { status: "ok" });
    if (path === "/config.json") return send(res, 200, "application/json", config);
    if (development && path === "/dev/token") return issueDevelopmentToken(req, res);
    if (req.method !== "GET" && req.method !== "HEAD") return sendJson(res, 404, { error: "not found" });
    const file = path === "/" ? "index.html" : normalize(decodeURIComponent(path)).replace(/^[/\\]+/, "");
    if (file.split(sep).includes("..")) return sendJson(res, 404, { error: "not found" });
    try {
      const content = await readFile(join(options.staticDir, file));
      // Vite names assets by content hash, so a browser may keep them forever.
      const cache = file.startsWith(`assets${sep}`) ? "public, max-age=31536000, immutable" : "no-cache";
      return send(res, 200, CONTENT_TYPES[extname(file)] ?? "application/octet-stream", content, cache);
    } catch {
      return sendJson(res, 404, { error: "not found" });
    }
  };

  const issueDevelopmentToken = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST") return sendJson(res, 405, { error: 'POST a JSON body {"subject": "alice"}' });
    let subject: unknown;
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > 1_024) throw new Error("too large");
        chunks.push(chunk);
      }
      ({ subject } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { subject?: unknown });
    } catch {
      return sendJson(res, 400, { error: 'the body must be JSON like {"subject": "alice"}' });
    }
    const person = DEVELOPMENT_PEOPLE.find((candidate) => candidate.subject === subject);
    if (person === undefined) {
      return sendJson(res, 400, { error: `sign in as one of ${DEVELOPMENT_PEOPLE.map((p) => p.subject).join(", ")}` });
    }
    const token = await signToken({
      ...devAuth!,
      subject: person.subject,
      role: person.role,
      expiresInSeconds: DEVELOPMENT_TOKEN_SECONDS,
    });
    return sendJson(res, 200, {
      token,
      subject: person.subject,
      name: person.name,
      role: person.role,
      expiresAt: new Date(Date.now() + DEVELOPMENT_TOKEN_SECONDS * 1_000).toISOString(),
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
