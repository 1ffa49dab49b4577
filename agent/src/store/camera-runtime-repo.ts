import type { Kysely } from "kysely";
import type { AgentDatabase } from "./schema.js";

/** One camera's remote changes as stored; the JSON members are parsed but not validated here. */
export interface StoredCameraRuntime {
  cameraId: string;
  /** The accumulated settings patch (the camera manager validates it against today's schema). */
  settingsPatch: unknown;
  armed: boolean;
  /** The config of a camera added remotely, or null for a camera of the configuration file. */
  addedConfig: unknown;
}

/**
 * The `camera_runtime` table (migration 0003): remote settings patches, privacy mode and cameras
 * added remotely, which the camera manager applies over the configuration file at start.
 */
export class CameraRuntimeRepo {
  readonly #db: Kysely<AgentDatabase>;
  readonly #now: () => number;

  constructor(db: Kysely<AgentDatabase>, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  async list(): Promise<StoredCameraRuntime[]> {
    const rows = await this.#db.selectFrom("camera_runtime").selectAll().orderBy("camera_id").execute();
    return rows.map((r) => ({
      cameraId: r.camera_id,
      settingsPatch: JSON.parse(r.settings_patch) as unknown,
      armed: r.armed === 1,
      addedConfig: r.added_config === null ? null : (JSON.parse(r.added_config) as unknown),
    }));
  }

  /** Replace the camera's accumulated settings patch. */
  async saveSettingsPatch(cameraId: string, patch: object): Promise<void> {
    const now = this.#now();
    const settings_patch = JSON.stringify(patch);
    await this.#db
      .insertInto("camera_runtime")
      .values({ camera_id: cameraId, settings_patch, updated_at: now })
      .onConflict((oc) => oc.column("camera_id").doUpdateSet({ settings_patch, updated_at: now }))
      .execute();
  }

  /** Arm or disarm (privacy mode) these cameras, in one transaction. */
  async setArmed(cameraIds: readonly string[], armed: boolean): Promise<void> {
    const now = this.#now();
    const value = armed ? 1 : 0;
    await this.#db.transaction().execute(async (trx) => {
      for (const id of cameraIds) {
        await trx
          .insertInto("camera_runtime")
          .values({ camera_id: id, armed: value, updated_at: now })
          .onConflict((oc) => oc.column("camera_id").doUpdateSet({ armed: value, updated_at: now }))
          .execute();
      }
    });
  }

  /**
   * Store the config of a camera added remotely. A new camera starts armed and without a patch,
   * even if a row is left over from an earlier camera with the same id.
   */
  async saveAddedCamera(config: { id: string }): Promise<void> {
    const values = { added_config: JSON.stringify(config), settings_patch: "{}", armed: 1 as const };
    const now = this.#now();
    await this.#db
      .insertInto("camera_runtime")
      .values({ camera_id: config.id, ...values, updated_at: now })
      .onConflict((oc) => oc.column("camera_id").doUpdateSet({ ...values, updated_at: now }))
      .execute();
  }
}
