import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Handle, HandleSchema, HandleStatus } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import type { HandleRecord } from "./handle-record.js";

/** A handle in full, as its owner (and operators, and events) see it. */
export function toHandleProto(record: HandleRecord): Handle {
  return create(HandleSchema, {
    handle: record.handle,
    accountId: record.accountId,
    owner: record.owner,
    displayName: record.displayName,
    network: record.network,
    status: record.status === "active" ? HandleStatus.ACTIVE : HandleStatus.DEACTIVATED,
    verified: record.verified,
    createTime: timestampFromDate(record.createdAt),
    updateTime: timestampFromDate(record.updatedAt),
  });
}
