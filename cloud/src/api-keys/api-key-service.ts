import { randomBytes } from "node:crypto";
import { ApiError, type ApiKeyView } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { Kysely } from "kysely";
import type { Principal } from "../api/principal.js";
import type { ApiKeysTable, CloudDatabase } from "../db/schema.js";
import {
  apiKeyDisplayPrefix,
  generateApiKeySecret,
  hashApiKeySecret,
  looksLikeApiKeySecret,
} from "./api-key-secret.js";

export interface ApiKeyServiceDeps {
  db: Kysely<CloudDatabase>;
  log: Logger;
  now?: () => number;
  /** Keys one user may hold (default 20). */
  maxKeysPerUser?: number;
  /** `lastUsedAt` is written at most this often per key (default 60 s): not a write per request. */
  touchIntervalMs?: number;
}

/** Resolves a bearer API key to its owner; null when unknown, expired, or the owner is inactive. */
export type VerifyApiKey = (secret: string) => Promise<Principal | null>;

/** Integration API keys: create (secret shown once), list, delete, and verify as a bearer credential. */
export class ApiKeyService {
  private readonly now: () => number;
  private readonly maxKeys: number;
  private readonly touchIntervalMs: number;

  constructor(private readonly deps: ApiKeyServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.maxKeys = deps.maxKeysPerUser ?? 20;
    this.touchIntervalMs = deps.touchIntervalMs ?? 60_000;
  }

  async list(userId: string): Promise<ApiKeyView[]> {
    const rows = await this.deps.db
      .selectFrom("api_keys")
      .selectAll()
      .where("user_id", "=", userId)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .execute();
    return rows.map(view);
  }

  /** A new key; the returned secret exists nowhere else (only its hash is stored). */
  async create(userId: string, input: { name: string; expiresAt?: number | undefined }) {
    const now = this.now();
    if (input.expiresAt !== undefined && input.expiresAt <= now) {
      throw new ApiError("E_VALIDATION", "expiresAt must be in the future", {
        issues: [{ path: "expiresAt", message: "must be in the future" }],
      });
    }
    const secret = generateApiKeySecret();
    const row: ApiKeysTable = {
      id: randomBytes(16).toString("base64url"),
      user_id: userId,
      name: input.name,
      prefix: apiKeyDisplayPrefix(secret),
      secret_hash: hashApiKeySecret(secret),
      created_at: now,
      expires_at: input.expiresAt ?? null,
      last_used_at: null,
    };
    await this.deps.db.transaction().execute(async (trx) => {
      const { n } = await trx
        .selectFrom("api_keys")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("user_id", "=", userId)
        .executeTakeFirstOrThrow();
      if (Number(n) >= this.maxKeys) {
        throw new ApiError("E_CONFLICT", `at most ${this.maxKeys} API keys per account: delete one first`);
      }
      await trx.insertInto("api_keys").values(row).execute();
    });
    return { key: view(row), secret };
  }

  /** Delete the user's key `id`; false when the user has no such key (another user's included). */
  async delete(userId: string, id: string): Promise<boolean> {
    const r = await this.deps.db
      .deleteFrom("api_keys")
      .where("id", "=", id)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /**
   * For the authenticator: the owner's principal (`via: "apikey"`) for a valid, unexpired key of an
   * active user, else null. Bound, so it can be handed over as a function.
   */
  readonly verifyApiKey: VerifyApiKey = async (secret) => {
    if (!looksLikeApiKeySecret(secret)) return null;
    const now = this.now();
    const row = await this.deps.db
      .selectFrom("api_keys")
      .innerJoin("users", "users.id", "api_keys.user_id")
      .select([
        "api_keys.id as id",
        "api_keys.user_id as userId",
        "api_keys.expires_at as expiresAt",
        "api_keys.last_used_at as lastUsedAt",
        "users.role as role",
        "users.is_active as isActive",
      ])
      .where("api_keys.secret_hash", "=", hashApiKeySecret(secret))
      .executeTakeFirst();
    if (!row || row.isActive === 0) return null;
    if (row.expiresAt !== null && row.expiresAt <= now) return null;
    if (row.lastUsedAt === null || now - row.lastUsedAt >= this.touchIntervalMs) {
      await this.touch(row.id, now);
    }
    return { userId: row.userId, role: row.role, via: "apikey", apiKeyId: row.id };
  };

  // Best effort: a failed bookkeeping write must not refuse a valid key. The condition keeps
  // concurrent requests from writing the same minute twice.
  private async touch(id: string, now: number): Promise<void> {
    try {
      await this.deps.db
        .updateTable("api_keys")
        .set({ last_used_at: now })
        .where("id", "=", id)
        .where((eb) =>
          eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<=", now - this.touchIntervalMs)]),
        )
        .execute();
    } catch (err) {
      this.deps.log.warn({ err, apiKeyId: id }, "could not record API key use");
    }
  }
}

function view(row: ApiKeysTable): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
  };
}
