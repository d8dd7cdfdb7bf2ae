import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { Role } from "./principal.js";

/** A service to serve: its descriptor, (part of) its implementation, and its methods' own request limits. */
export interface ServiceRegistration {
  service: DescService;
  // biome-ignore lint/suspicious/noExplicitAny: handler types differ per service; the router checks them against the descriptor.
  impl: Partial<ServiceImpl<any>>;
  /**
   * Request limits of single methods, by method name (e.g. `PostEntries`), in place of the
   * server's `readMaxBytes`: for a batch whose valid requests are larger. Default none.
   */
  readLimits?: Readonly<Record<string, MethodReadLimit>>;
}

/** How large a request to one method may be, and for whom. */
export interface MethodReadLimit {
  /** The largest request message, in bytes after decompression. */
  readonly maxBytes: number;
  /**
   * Only callers holding one of these roles get the limit; others keep the server's. Default
   * every caller. Give the roles the handler accepts, so that a caller it will refuse cannot
   * make the server read and parse a large body first.
   */
  readonly roles?: readonly Role[];
}
