/**
 * postgres.js prints every server NOTICE (e.g. "relation already exists, skipping" from
 * idempotent DDL) to stdout by default, which corrupts JSON log streams; notices carry nothing
 * an operator acts on, so every client we open drops them.
 */
export function ignoreNotice(): void {}
