import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { describeError } from "../describe-error.js";
import { withFieldLabels } from "./with-field-labels.js";

const labels = { url: "Endpoint URL", event_types: "Event types", "contacts.email": "Email address" };

describe("withFieldLabels", () => {
  it("names the refused field as the form does", () => {
    const refused = new ConnectError(
      "url: 10.0.0.7 is a private or loopback address; webhooks go to public hosts only",
      Code.InvalidArgument,
    );
    expect(describeError(withFieldLabels(refused, labels))).toBe(
      "Endpoint URL: 10.0.0.7 is a private or loopback address; webhooks go to public hosts only. Correct it and try again.",
    );
  });

  it("reads past a list index and a nested path, and keeps the code", () => {
    const typed = withFieldLabels(
      new ConnectError("event_types[1]: value length must be at most 64 characters", Code.InvalidArgument),
      labels,
    );
    expect((typed as ConnectError).rawMessage).toBe("Event types: value length must be at most 64 characters");
    expect((typed as ConnectError).code).toBe(Code.InvalidArgument);
    const email = withFieldLabels(new ConnectError('contacts.email: "x" is not an email address', Code.InvalidArgument), labels);
    expect((email as ConnectError).rawMessage).toBe('Email address: "x" is not an email address');
  });

  it("leaves other errors as they are", () => {
    const other = new ConnectError("webhook endpoint 1 is not one of yours", Code.PermissionDenied);
    expect(withFieldLabels(other, labels)).toBe(other);
    const plain = new Error("offline");
    expect(withFieldLabels(plain, labels)).toBe(plain);
  });
});
