import { create } from "@bufbuild/protobuf";
import { type LookupPolicy, LookupPolicySchema } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import type { BucketPolicy } from "./bucket-policy.js";

/** A bucket policy as the API and the events show it (int64 fields). */
export function toLookupPolicyProto(policy: BucketPolicy): LookupPolicy {
  return create(LookupPolicySchema, {
    capacity: BigInt(policy.capacity),
    refillPerMinute: BigInt(policy.refillPerMinute),
    hitCost: BigInt(policy.hitCost),
    missCost: BigInt(policy.missCost),
  });
}
