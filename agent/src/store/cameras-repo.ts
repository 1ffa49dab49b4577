import type { CameraConfig } from "@homecam/shared";
import type { Kysely } from "kysely";
import type { AgentDatabase } from "./schema.js";

export interface StoredCamera {
  id: string;
  name: string;
  sourceType: string;
  enabled: boolean;
}

/** The `cameras` table: a row per camera ever configured (events reference it). */
export class CamerasRepo {
  readonly #db: Kysely<AgentDatabase>;
  readonly #now: () => number;

  constructor(db: Kysely<AgentDatabase>, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  /**
   * Make the table match the configuration, in one transaction: configured cameras are inserted or
   * updated; cameras no longer configured are kept (their events and clips still point at them)
   * but marked disabled.
   */
  async syncFromConfig(cameras: readonly Pick<CameraConfig, "id" | "name" | "enabled" | "source">[]) {
    const now = this.#now();
    const ids = cameras.map((c) => c.id);
    await this.#db.transaction().execute(async (trx) => {
      for (const c of cameras) {
        const values = { name: c.name, source_type: c.source.type, enabled: c.enabled ? 1 : 0 } as const;
        await trx
          .insertInto("cameras")
          .values({ id: c.id, ...values, created_at: now, updated_at: now })
          .onConflict((oc) => oc.column("id").doUpdateSet({ ...values, updated_at: now }))
          .execute();
      }
      let gone = trx.updateTable("cameras").set({ enabled: 0, updated_at: now }).where("enabled", "=", 1);
      if (ids.length > 0) gone = gone.where("id", "not in", ids);
      await gone.execute();
    });
  }

  async list(): Promise<StoredCamera[]> {
    const rows = await this.#db.selectFrom("cameras").selectAll().orderBy("id").execute();
    return rows.map((r) => ({ id: r.id, name: r.name, sourceType: r.source_type, enabled: r.enabled === 1 }));
  }
}
