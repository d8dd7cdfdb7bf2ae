import { createTransport } from "nodemailer";
import type { Channel } from "./channel.js";

export interface EmailChannelOptions {
  /** `smtp://` or `smtps://` URL of the SMTP server (with credentials if it needs them). */
  smtpUrl: string;
  from: string;
  timeoutMs: number;
}

/** Email over SMTP (nodemailer): the notification's title as the subject, its sentence as the text. */
export function createEmailChannel({ smtpUrl, from, timeoutMs }: EmailChannelOptions): Channel & { close(): void } {
  const transport = createTransport({ url: smtpUrl, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
  return {
    name: "email",
    succeeded: (outcome) => outcome.error === "",
    async send(delivery) {
      const started = performance.now();
      try {
        await transport.sendMail({
          from,
          to: delivery.target,
          subject: delivery.payload.title,
          text: `${delivery.payload.body}\n`,
          headers: { "x-paymesh-message-id": delivery.messageId },
        });
        return { statusCode: 250, latencyMs: Math.round(performance.now() - started), error: "" };
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode ?? 0;
        return { statusCode: code, latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
      }
    },
    close: () => transport.close(),
  };
}
