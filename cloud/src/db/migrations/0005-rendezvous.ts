import { type Kysely, sql } from "kysely";

// Rendezvous (issue 6): device presence, cameras, grants, pairing sessions and the access log.
// Portable column rules: see ../schema.ts.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Presence and the latest telemetry, kept on the device row so every cloud instance sees them.
  await db.schema
    .alterTable("devices")
    .addColumn("status", "text", (c) => c.notNull().defaultTo("unknown"))
    .execute();
  await db.schema.alterTable("devices").addColumn("status_at", "bigint").execute();
  await db.schema.alterTable("devices").addColumn("agent_version", "text").execute();
  await db.schema.alterTable("devices").addColumn("telemetry_json", "text").execute();
  await db.schema.alterTable("devices").addColumn("telemetry_at", "bigint").execute();

  // A camera of a device. `id` is the cloud's (global) id; `local_id` the agent's configured id.
  await db.schema
    .createTable("cameras")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("device_id", "text", (c) => c.notNull().references("devices.id").onDelete("cascade"))
    .addColumn("local_id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("location", "text")
    .addColumn("source_kind", "text")
    .addColumn("status", "text", (c) => c.notNull().defaultTo("unknown"))
    .addColumn("status_reason", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    // Set when an owner deletes the camera: the agent re-registering it does not bring it back.
    .addColumn("removed_at", "bigint")
    .addUniqueConstraint("cameras_device_local_uq", ["device_id", "local_id"])
    .execute();

  // Who may see or control a device. One row per (device, user).
  await db.schema
    .createTable("device_grants")
    .addColumn("device_id", "text", (c) => c.notNull().references("devices.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('owner', 'viewer')`))
    .addColumn("granted_by", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("device_grants_pk", ["device_id", "user_id"])
    .execute();
  await db.schema.createIndex("device_grants_user_idx").on("device_grants").columns(["user_id"]).execute();
  // At most one owner per device: the first claim wins even under concurrency.
  await db.schema
    .createIndex("device_grants_one_owner_uq")
    .on("device_grants")
    .column("device_id")
    .unique()
    .where(sql.ref("role"), "=", "owner")
    .execute();

  // Pairing sessions: the PIN is stored as an HMAC (keyed with a secret in the keys directory).
  await db.schema
    .createTable("pairing_sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("device_id", "text", (c) => c.notNull().references("devices.id").onDelete("cascade"))
    .addColumn("pin_hmac", "text", (c) => c.notNull())
    .addColumn("origin", "text", (c) => c.notNull().check(sql`origin in ('device', 'invite')`))
    .addColumn("invited_by", "text")
    .addColumn("state", "text", (c) =>
      c.notNull().check(sql`state in ('open', 'claimed', 'burned', 'expired', 'cancelled')`),
    )
    .addColumn("failed_attempts", "integer", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("claimed_by", "text")
    .addColumn("claimed_at", "bigint")
    .addColumn("claimed_role", "text")
    .execute();
  // A PIN is unique among open sessions; expired ones are closed (state = 'expired') before a new
  // PIN is drawn, so the partial index is exactly "unique among live sessions".
  await db.schema
    .createIndex("pairing_sessions_open_pin_uq")
    .on("pairing_sessions")
    .column("pin_hmac")
    .unique()
    .where(sql.ref("state"), "=", "open")
    .execute();
  await db.schema
    .createIndex("pairing_sessions_device_idx")
    .on("pairing_sessions")
    .columns(["device_id", "created_at"])
    .execute();

  // Who viewed or commanded what, when. No foreign keys: a log row must outlive what it names.
  await db.schema
    .createTable("device_access_log")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("device_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text")
    .addColumn("camera_id", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("detail", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("device_access_log_device_idx")
    .on("device_access_log")
    .columns(["device_id", "created_at", "id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("device_access_log").execute();
  await db.schema.dropTable("pairing_sessions").execute();
  await db.schema.dropTable("device_grants").execute();
  await db.schema.dropTable("cameras").execute();
  for (const col of ["telemetry_at", "telemetry_json", "agent_version", "status_at", "status"]) {
    await db.schema.alterTable("devices").dropColumn(col).execute();
  }
}
