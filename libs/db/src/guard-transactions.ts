import type postgres from "postgres";

/**
 * Errors with which postgres.js rejects a statement whose connection went away: the server said
 * why before closing it (57P01 "terminating connection due to administrator command", as at a
 * fast shutdown or pg_terminate_backend; 57P02 after another backend crashed), or it just closed
 * (CONNECTION_CLOSED), the pool destroyed it (CONNECTION_DESTROYED), or the socket failed.
 */
const CONNECTION_LOST: ReadonlySet<string> = new Set([
  "57P01",
  "57P02",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
]);

function isConnectionLost(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_LOST.has(code)) return true;
  }
  return false;
}

/** One transaction's view of its connection, shared by its savepoints. */
interface TransactionState {
  lost: boolean;
}

/**
 * `sql` whose transactions (`sql.begin`, and drizzle's `db.transaction`, which calls it) never
 * send anything on their connection once it is lost. This is the containment of a postgres.js
 * 3.4.9 defect (porsager/postgres #1154, #1208; unreleased fixes #1168, #1209; 3.4.9 is the
 * latest release and ships no changelog) that crashed every service when Postgres restarted:
 *
 * `begin` pins a connection and hands the transaction's statements to it directly
 * (`connection.execute`), without asking whether it is still open. When the server closes it
 * (`pg_ctl restart -m fast` terminates every backend), `closed()` in connection.js sets its socket
 * to null and rejects the statement in flight; `begin` then sends ROLLBACK on that same connection,
 * and a callback that was awaiting something else (the outbox relay awaits NATS mid-transaction)
 * sends its next statement there. `write()` buffers the bytes and schedules `nextWrite` with
 * setImmediate, which calls `socket.write` on null: "TypeError: Cannot read properties of null
 * (reading 'write')" thrown from an Immediate (connection.js:255), where no promise can catch it.
 * Where it does not crash (a write was already scheduled, whose timer `closed()` cancels without
 * forgetting it), the connection keeps those bytes and never flushes again: each later attempt to
 * reconnect it hangs until connect_timeout.
 *
 * Measured (scratch scripts, private cluster, `pg_ctl restart -m fast` under 20 concurrent
 * transactions of an insert then a select): the plain client crashed in 3 of 8 restarts. With a
 * process-level handler that swallowed exactly this TypeError the process lived, but in 11 of 13
 * restarts 1 to 9 connections stayed poisoned, still failing queries with CONNECT_TIMEOUT 16 s
 * later, and throughput in those 16 s fell from about 9,000 transactions to as few as 97; by
 * connection.js the swallowed statement also stays pending on its connection, to be settled by
 * whatever a later session answers. With this guard: no crash and no CONNECT_TIMEOUT in 10
 * restarts, 5 of them with a non-database await between the statements. Killing a transaction's
 * backend with pg_terminate_backend, mid-statement or between statements, crashes the plain
 * client every time and never the guarded one (guard-transactions.test.ts); the ledger's restart
 * drill (database-restart.test.ts) sees 5 or 6 of these TypeErrors per run without the guard and
 * none with it. So this stops the cause instead of catching the crash, and no process handler is
 * installed: a crash that nothing foresaw still ends the process, and the launcher (or the
 * orchestrator) starts a clean one.
 *
 * How: once one of the transaction's own statements fails because the connection is lost, or
 * `begin` has been rejected because its connection closed, the transaction is marked lost. Its
 * later statements throw before reaching postgres.js, and its callback is never allowed to
 * settle, so `begin` neither rolls back nor commits on the dead connection (the server already
 * rolled the transaction back). The caller still gets `begin`'s rejection (CONNECTION_CLOSED, or
 * the server's 57P01; see isDatabaseUnavailable); the abandoned callback holds nothing once
 * unreferenced. Savepoints get the same treatment. Remove when a postgres.js release guards
 * `nextWrite` and `execute` and the restart drill passes without this.
 */
export function guardTransactions<TSql extends postgres.Sql>(sql: TSql): TSql {
  return new Proxy(sql, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== "begin" || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const state: TransactionState = { lost: false };
        const callback = args.pop() as TransactionCallback;
        const result = value.apply(target, [...args, guardCallback(callback, state)]) as Promise<unknown>;
        // postgres.js rejects `begin` as soon as the connection closes, while the callback may
        // still be running; from then on the connection is gone, whatever the callback saw.
        result.catch(() => {
          state.lost = true;
        });
        return result;
      };
    },
  });
}

type TransactionCallback = (tx: postgres.TransactionSql) => unknown;

function guardCallback(callback: TransactionCallback, state: TransactionState): TransactionCallback {
  return async (tx) => {
    let result: unknown;
    try {
      result = await callback(guardTransaction(tx, state));
    } catch (error) {
      // Only this transaction's own statements can say its connection is lost: an error of the
      // same kind from elsewhere (another pool) leaves a live connection to roll back as usual.
      if (state.lost) return abandon();
      throw error;
    }
    // Committing would write to the closed connection just the same.
    return state.lost ? abandon() : result;
  };
}

function guardTransaction(tx: postgres.TransactionSql, state: TransactionState): postgres.TransactionSql {
  const refuseIfLost = () => {
    if (state.lost) {
      throw Object.assign(new Error("the transaction's connection was lost; the server rolled it back"), { code: "CONNECTION_CLOSED" });
    }
  };
  return new Proxy(tx, {
    apply(target, thisArg, args: unknown[]) {
      // A tagged template is a statement; a helper call (`tx(rows)`, `tx("name")`) only builds a fragment.
      if (!Array.isArray((args[0] as { raw?: unknown } | undefined)?.raw)) return Reflect.apply(target, thisArg, args);
      refuseIfLost();
      return watch(Reflect.apply(target, thisArg, args), state);
    },
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if (property === "unsafe") {
        return (...args: unknown[]) => {
          refuseIfLost();
          return watch(value.apply(target, args), state);
        };
      }
      if (property === "savepoint") {
        return (...args: unknown[]) => {
          refuseIfLost();
          const callback = args.pop() as TransactionCallback;
          return value.apply(target, [...args, guardCallback(callback, state)]);
        };
      }
      return value;
    },
  });
}

type Then = (onFulfilled?: ((value: unknown) => unknown) | null, onRejected?: ((reason: unknown) => unknown) | null) => unknown;

/**
 * Marks the transaction lost as soon as `statement` fails for lack of a connection, before
 * whoever awaits it sees the failure. postgres.js runs a statement only when it is first
 * awaited (its `then`), and a fragment embedded in another statement is never awaited, so the
 * failure is observed through the statement's own `then` rather than by awaiting it here.
 */
function watch(statement: unknown, state: TransactionState): unknown {
  const then = (statement as { then: Then }).then;
  function watchedThen(this: unknown, onFulfilled?: Parameters<Then>[0], onRejected?: Parameters<Then>[1]) {
    return then.call(this, onFulfilled, (error: unknown) => {
      if (isConnectionLost(error)) state.lost = true;
      if (onRejected) return onRejected(error);
      throw error;
    });
  }
  // Shadows the statement's own (prototype) then for this one statement, nothing else.
  // biome-ignore lint/suspicious/noThenProperty: the statement is a promise already; this wraps its then.
  Object.defineProperty(statement, "then", { value: watchedThen, configurable: true, writable: true });
  return statement;
}

/** A promise that never settles, so postgres.js never goes on to ROLLBACK or COMMIT. */
function abandon(): Promise<never> {
  return new Promise<never>(() => {});
}
