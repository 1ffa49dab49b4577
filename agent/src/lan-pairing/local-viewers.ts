import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { DeviceRoleName as DeviceRole } from "@homecam/shared";
import type { Kysely } from "kysely";
import type { AgentDatabase } from "../store/schema.js";
import { storedLocalViewerSchema } from "./local-pairing-schemas.js";

// Local viewers live in the kv table, one row each (no migration: a handful of rows, read by id).
const PREFIX = "lan-pairing.viewer:";

/** A viewer paired with `homecam pair --local`, as listed to the operator (no secret). */
export interface LocalViewer {
  id: string;
  name: string;
  role: DeviceRole;
  createdAt: number;
  revokedAt: number | null;
}

/**
 * Viewers paired on the LAN without a cloud. Each holds a long-lived refresh secret to get new
 * tokens without the PIN; only its SHA-256 is stored (the secret is 256 random bits, so a plain
 * hash cannot be brute-forced, and a stolen database does not let anyone in).
 */
export class LocalViewerStore {
  constructor(
    private readonly db: Kysely<AgentDatabase>,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new viewer and its refresh secret (shown once, to the viewer). */
  async create(name: string, role: DeviceRole): Promise<{ viewer: LocalViewer; refreshSecret: string }> {
    const viewer: LocalViewer = {
      id: `lv_${randomBytes(12).toString("base64url")}`,
      name,
      role,
      createdAt: this.now(),
      revokedAt: null,
    };
    const refreshSecret = randomBytes(32).toString("base64url");
    await this.#write({ ...viewer, secretHash: hashSecret(refreshSecret) });
    return { viewer, refreshSecret };
  }

  /** The viewer when `secret` is its refresh secret and it is not revoked; else null. */
  async checkRefresh(id: string, secret: string): Promise<LocalViewer | null> {
    const stored = await this.#read(id);
    if (!stored || stored.revokedAt !== null || stored.secretHash === null) return null;
    const given = Buffer.from(hashSecret(secret), "hex");
    const expected = Buffer.from(stored.secretHash, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const { secretHash: _, ...viewer } = stored;
    return viewer;
  }

  async list(): Promise<LocalViewer[]> {
    const rows = await this.db.selectFrom("kv").select("value").where("key", "like", `${PREFIX}%`).execute();
    return rows
      .map((r) => {
        const { secretHash: _, ...viewer } = storedLocalViewerSchema.parse(JSON.parse(r.value));
        return viewer;
      })
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /** True while a local owner is paired and not revoked. */
  async hasOwner(): Promise<boolean> {
    return (await this.list()).some((v) => v.role === "owner" && v.revokedAt === null);
  }

  /** Mark `id` revoked and forget its secret; false when there is no such viewer. */
  async revoke(id: string): Promise<boolean> {
    const stored = await this.#read(id);
    if (!stored) return false;
    await this.#write({ ...stored, revokedAt: stored.revokedAt ?? this.now(), secretHash: null });
    return true;
  }

  async #read(id: string) {
    const row = await this.db
      .selectFrom("kv")
      .select("value")
      .where("key", "=", PREFIX + id)
      .executeTakeFirst();
    return row ? storedLocalViewerSchema.parse(JSON.parse(row.value)) : null;
  }

  async #write(value: LocalViewer & { secretHash: string | null }): Promise<void> {
    const at = this.now();
    const json = JSON.stringify(value);
    await this.db
      .insertInto("kv")
      .values({ key: PREFIX + value.id, value: json, updated_at: at })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: json, updated_at: at }))
      .execute();
  }
}

function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}
