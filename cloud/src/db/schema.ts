// Table types for kysely. Column names are snake_case in SQL; rows are mapped to camelCase JSON by
// the stores, never sent as-is.
//
// Portable column rules (one migration set runs on SQLite and PostgreSQL):
// - Timestamps are epoch milliseconds in a `bigint` column (see EpochMs). Chosen over ISO text
//   because integer comparison is exact under any collation (PostgreSQL compares text by locale),
//   expiry arithmetic (`expires_at < ?`) needs no date functions that differ between dialects,
//   and it fits a JS number until the year 287396. `pg` returns int8 as a string by default, so
//   open-database.ts installs a parser that turns it into a number.
// - Booleans are `integer` 0/1 with a CHECK (see Flag): SQLite has no boolean type and
//   better-sqlite3 refuses to bind JS booleans, while PostgreSQL's boolean would come back as
//   true/false on one dialect and 0/1 on the other. Convert at the store edge with portable.ts.
// - Text is `text` (no varchar lengths: limits belong in the zod schemas at the API edge).

/** Milliseconds since the Unix epoch, stored in a `bigint` column. */
export type EpochMs = number;

/** A boolean stored as `integer` 0/1. */
export type Flag = 0 | 1;

/** Small key/value facts about this installation (schema notes, instance id…). */
export interface InstanceMetaTable {
  key: string;
  value: string;
  updated_at: EpochMs;
}

/** Every table of the cloud database, as kysely sees it. */
export interface CloudDatabase {
  instance_meta: InstanceMetaTable;
}
