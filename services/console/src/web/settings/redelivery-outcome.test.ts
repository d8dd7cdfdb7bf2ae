import { create } from "@bufbuild/protobuf";
import { DeliveryStatus, WebhookDeliverySchema } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { describe, expect, it } from "vitest";
import { redeliveryOutcome } from "./redelivery-outcome.js";

const failedBefore = { statusCode: 500, latencyMs: 12, error: "HTTP 500" };

describe("redeliveryOutcome", () => {
  it("is sending until an attempt after the redelivery is recorded", () => {
    const delivery = create(WebhookDeliverySchema, { status: DeliveryStatus.PENDING, attempts: [failedBefore] });
    expect(redeliveryOutcome(delivery, 1)).toEqual({ state: "sending", text: "Sending again…" });
  });

  it("reports the newest attempt after it", () => {
    const delivered = create(WebhookDeliverySchema, {
      status: DeliveryStatus.SUCCEEDED,
      attempts: [failedBefore, { statusCode: 204, latencyMs: 31 }],
    });
    expect(redeliveryOutcome(delivered, 1)).toEqual({ state: "delivered", text: "Delivered: HTTP 204 in 31 ms." });
    const failing = create(WebhookDeliverySchema, {
      status: DeliveryStatus.PENDING,
      attempts: [failedBefore, { statusCode: 0, latencyMs: 15_000, error: "timed out" }],
    });
    expect(redeliveryOutcome(failing, 1)).toEqual({ state: "failed", text: "Failed again: no answer: timed out. It will be tried again." });
  });

  it("says so when the delivery was stopped before it was sent", () => {
    const stopped = create(WebhookDeliverySchema, { status: DeliveryStatus.FAILED, attempts: [failedBefore] });
    expect(redeliveryOutcome(stopped, 1).state).toBe("failed");
  });
});
