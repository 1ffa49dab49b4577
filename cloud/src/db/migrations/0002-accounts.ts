import { type Kysely, sql } from "kysely";

// Accounts (issue 5): users, terms agreements, one-time e-mail codes, refresh-token families and
// tokens. Portable column rules: see ../schema.ts (epoch-ms bigint, 0/1 integer flags, text).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    // Stored trimmed and lower-cased by the API schema, so UNIQUE is case-insensitive in effect.
    .addColumn("email", "text", (c) => c.notNull().unique())
    // `scrypt$<logN>$<r>$<p>$<salt b64url>$<hash b64url>`; null = no password (Google-only).
    .addColumn("password_hash", "text")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("nickname", "text")
    .addColumn("bio", "text")
    .addColumn("phone", "text")
    .addColumn("birth", "text")
    .addColumn("picture_url", "text")
    .addColumn("email_verified", "integer", (c) => c.notNull().check(flag("email_verified")))
    .addColumn("google_id", "text", (c) => c.unique())
    .addColumn("provider", "text", (c) => c.notNull().check(sql`provider in ('local', 'google')`))
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('admin', 'user')`))
    .addColumn("is_active", "integer", (c) => c.notNull().check(flag("is_active")))
    .addColumn("last_login_at", "bigint")
    // Access tokens issued (iat) before this instant are refused: password change, reset, deactivation.
    .addColumn("tokens_valid_after", "bigint", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("users_created_idx").on("users").columns(["created_at", "id"]).execute();

  // History: a new row per agreement, never updated.
  await db.schema
    .createTable("terms_agreements")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("version", "text", (c) => c.notNull())
    .addColumn("agree_terms", "integer", (c) => c.notNull().check(flag("agree_terms")))
    .addColumn("agree_privacy", "integer", (c) => c.notNull().check(flag("agree_privacy")))
    .addColumn("agree_microphone", "integer", (c) => c.notNull().check(flag("agree_microphone")))
    .addColumn("agree_location", "integer", (c) => c.notNull().check(flag("agree_location")))
    .addColumn("agree_marketing", "integer", (c) => c.notNull().check(flag("agree_marketing")))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("terms_agreements_user_idx")
    .on("terms_agreements")
    .columns(["user_id", "created_at"])
    .execute();

  // One-time e-mail codes. Rows are kept for a day after use so the per-account daily failure cap
  // can sum `failures` across codes.
  await db.schema
    .createTable("email_codes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("purpose", "text", (c) =>
      c.notNull().check(sql`purpose in ('verify_email', 'reset_password')`),
    )
    // The address the code was sent to: a code proves ownership of that address only.
    .addColumn("email", "text", (c) => c.notNull())
    // HMAC-SHA256(server secret, id ‖ purpose ‖ code), hex.
    .addColumn("code_hash", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("consumed_at", "bigint")
    .addColumn("superseded_at", "bigint")
    .execute();
  await db.schema
    .createIndex("email_codes_user_idx")
    .on("email_codes")
    .columns(["user_id", "purpose", "created_at"])
    .execute();

  // A refresh-token family = one sign-in session (the access token's `sid`).
  await db.schema
    .createTable("refresh_families")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("started_at", "bigint", (c) => c.notNull())
    // started_at + the hard maximum lifetime; no token of the family outlives it.
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("revoked_at", "bigint")
    .addColumn("revoked_reason", "text")
    .addColumn("user_agent", "text")
    .execute();
  await db.schema.createIndex("refresh_families_user_idx").on("refresh_families").column("user_id").execute();
  await db.schema
    .createIndex("refresh_families_expires_idx")
    .on("refresh_families")
    .column("expires_at")
    .execute();

  await db.schema
    .createTable("refresh_tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("family_id", "text", (c) => c.notNull().references("refresh_families.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("parent_id", "text")
    // SHA-256 (hex) of the token: 256 random bits need no slow hash, and equality lookup works.
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("issued_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("rotated_at", "bigint")
    .execute();
  await db.schema.createIndex("refresh_tokens_family_idx").on("refresh_tokens").column("family_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("refresh_tokens").execute();
  await db.schema.dropTable("refresh_families").execute();
  await db.schema.dropTable("email_codes").execute();
  await db.schema.dropTable("terms_agreements").execute();
  await db.schema.dropTable("users").execute();
}

function flag(column: string) {
  return sql`${sql.ref(column)} in (0, 1)`;
}
