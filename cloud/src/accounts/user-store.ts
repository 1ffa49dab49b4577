import { randomUUID } from "node:crypto";
import type { PageCursor, ProfileUpdate, Role, UserView } from "@homecam/shared";
import { type Kysely, type Selectable, sql } from "kysely";
import { fromFlag, toFlag } from "../db/portable.js";
import type { CloudDatabase, UsersTable } from "../db/schema.js";

export type UserRow = Selectable<UsersTable>;

export interface NewUser {
  email: string;
  passwordHash: string | null;
  name: string;
  provider: "local" | "google";
  googleId?: string | null;
  emailVerified: boolean;
  role?: Role;
  pictureUrl?: string | null;
}

export interface Agreements {
  agreeTerms: boolean;
  agreePrivacy: boolean;
  agreeMicrophone?: boolean | undefined;
  agreeLocation?: boolean | undefined;
  agreeMarketing?: boolean | undefined;
}

/** Thrown by {@link UserStore.create} when the e-mail (or Google id) is taken. */
export class DuplicateUserError extends Error {
  readonly code = "HC_ERR_ACCOUNTS_DUPLICATE";
  override readonly name = "DuplicateUserError";
}

/** The users and terms_agreements tables. Rows stay snake_case here; {@link toUserView} maps them. */
export class UserStore {
  constructor(readonly db: Kysely<CloudDatabase>) {}

  byId(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  }

  byEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
  }

  byGoogleId(googleId: string): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where("google_id", "=", googleId).executeTakeFirst();
  }

  /** Create a user (and, when given, its first terms agreement) in one transaction. */
  async create(u: NewUser, now: number, agreements?: { version: string } & Agreements): Promise<UserRow> {
    const row: UserRow = {
      id: randomUUID(),
      email: u.email,
      password_hash: u.passwordHash,
      name: u.name,
      nickname: null,
      bio: null,
      phone: null,
      birth: null,
      picture_url: u.pictureUrl ?? null,
      email_verified: toFlag(u.emailVerified),
      google_id: u.googleId ?? null,
      provider: u.provider,
      role: u.role ?? "user",
      is_active: 1,
      last_login_at: null,
      tokens_valid_after: 0,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto("users").values(row).execute();
        if (agreements) await insertAgreement(trx, row.id, agreements, now);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateUserError("e-mail already registered", { cause: err });
      throw err;
    }
    return row;
  }

  async update(id: string, patch: Partial<Omit<UserRow, "id" | "created_at">>, now: number): Promise<void> {
    await this.db
      .updateTable("users")
      .set({ ...patch, updated_at: now })
      .where("id", "=", id)
      .execute();
  }

  async updateProfile(id: string, p: ProfileUpdate, now: number): Promise<void> {
    const patch: Partial<UserRow> = {};
    if (p.name !== undefined) patch.name = p.name;
    if (p.nickname !== undefined) patch.nickname = p.nickname || null;
    if (p.bio !== undefined) patch.bio = p.bio || null;
    if (p.phone !== undefined) patch.phone = p.phone || null;
    if (p.birth !== undefined) patch.birth = p.birth;
    if (p.pictureUrl !== undefined) patch.picture_url = p.pictureUrl;
    await this.update(id, patch, now);
  }

  agreements(userId: string) {
    return this.db
      .selectFrom("terms_agreements")
      .selectAll()
      .where("user_id", "=", userId)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .execute();
  }

  /** A page of users, newest first; `search` matches part of the e-mail. */
  async list(opts: { search?: string | undefined; limit: number; cursor?: PageCursor | undefined }) {
    let q = this.db.selectFrom("users").selectAll();
    if (opts.search) {
      const pattern = `%${opts.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      // Emails are stored lower-case, so LIKE behaves the same on SQLite (case-insensitive) and
      // PostgreSQL (case-sensitive); `\` escapes the user's own % and _.
      q = q.where(sql<boolean>`email like ${pattern} escape '\\'`);
    }
    const cursor = opts.cursor;
    if (cursor) {
      q = q.where((eb) =>
        eb.or([
          eb("created_at", "<", cursor.createdAt),
          eb.and([eb("created_at", "=", cursor.createdAt), eb("id", "<", cursor.id)]),
        ]),
      );
    }
    return q
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(opts.limit + 1)
      .execute();
  }
}

async function insertAgreement(
  db: Kysely<CloudDatabase>,
  userId: string,
  a: { version: string } & Agreements,
  now: number,
): Promise<void> {
  await db
    .insertInto("terms_agreements")
    .values({
      id: randomUUID(),
      user_id: userId,
      version: a.version,
      agree_terms: toFlag(a.agreeTerms),
      agree_privacy: toFlag(a.agreePrivacy),
      agree_microphone: toFlag(a.agreeMicrophone ?? false),
      agree_location: toFlag(a.agreeLocation ?? false),
      agree_marketing: toFlag(a.agreeMarketing ?? false),
      created_at: now,
    })
    .execute();
}

/** SQLite `SQLITE_CONSTRAINT_UNIQUE`, PostgreSQL 23505. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "23505";
}

/** The API view of a user row. */
export function toUserView(r: UserRow): UserView {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    nickname: r.nickname,
    bio: r.bio,
    phone: r.phone,
    birth: r.birth,
    pictureUrl: r.picture_url,
    emailVerified: fromFlag(r.email_verified),
    role: r.role,
    isActive: fromFlag(r.is_active),
    provider: r.provider,
    googleLinked: r.google_id !== null,
    createdAt: r.created_at,
    lastLoginAt: r.last_login_at,
  };
}
