import { signToken } from "./sign-token.js";

export interface ServiceCredentialsOptions {
  /** This service's name: the subject other services see. */
  service: string;
  secret: string;
  issuer: string;
  audience: string;
  /** Token lifetime in seconds. Default 300: short-lived, renewed before it lapses. */
  lifetimeSeconds?: number;
}

/** Hands out this service's bearer token, minting a new one shortly before the old expires. */
export type ServiceCredentials = () => Promise<string>;

export function createServiceCredentials(options: ServiceCredentialsOptions): ServiceCredentials {
  const lifetime = options.lifetimeSeconds ?? 300;
  let cached: { token: Promise<string>; renewAt: number } | undefined;
  return () => {
    const now = Date.now();
    if (cached === undefined || now >= cached.renewAt) {
      const token = signToken({ ...options, subject: options.service, role: "service", expiresInSeconds: lifetime });
      // Renew at 80% of the lifetime so a token never expires in flight.
      cached = { token, renewAt: now + lifetime * 800 };
      token.catch(() => (cached = undefined));
    }
    return cached.token;
  };
}
