import {
  SETTINGS_EXPORT_VERSION,
  type SettingsExport,
  type SettingsUpdate,
  type SettingsView,
} from "@homecam/shared";
import type { Kysely, Transaction } from "kysely";
import type { DatabaseDialect } from "../db/open-database.js";
import { fromFlag, toFlag } from "../db/portable.js";
import type { CloudDatabase, UserSettingsTable } from "../db/schema.js";
import { hashPin } from "./pin-hash.js";
import {
  applySettingsUpdate,
  defaultSettings,
  exportableSettings,
  type StoredSettings,
  settingsView,
} from "./settings-model.js";

export interface SettingsStoreDeps {
  db: Kysely<CloudDatabase>;
  dialect: DatabaseDialect;
  now?: () => number;
  /** Replaceable so tests can use a cheap hash; scrypt by default. */
  hashPin?: (pin: string) => Promise<string>;
}

/** Per-user settings in `user_settings`; a user without a row has every default. */
export class SettingsStore {
  private readonly now: () => number;
  private readonly hashPin: (pin: string) => Promise<string>;

  constructor(private readonly deps: SettingsStoreDeps) {
    this.now = deps.now ?? Date.now;
    this.hashPin = deps.hashPin ?? ((pin) => hashPin(pin));
  }

  async get(userId: string): Promise<SettingsView> {
    return settingsView(await this.read(this.deps.db, userId, false));
  }

  /** The stored settings including the PIN hash (for a future PIN check, and tests). */
  async stored(userId: string): Promise<StoredSettings> {
    return this.read(this.deps.db, userId, false);
  }

  /** Apply a partial change atomically; a refused change (E_VALIDATION) writes nothing. */
  async update(userId: string, update: SettingsUpdate): Promise<SettingsView> {
    const pin = update.appLock?.pin;
    const pinHash = pin === undefined ? null : await this.hashPin(pin);
    return this.change(userId, (current) => applySettingsUpdate(current, update, pinHash, this.now()));
  }

  /** Every value back to its default; the PIN is forgotten. */
  async reset(userId: string): Promise<SettingsView> {
    await this.deps.db.deleteFrom("user_settings").where("user_id", "=", userId).execute();
    return settingsView(defaultSettings());
  }

  async exportFor(userId: string): Promise<SettingsExport> {
    const s = await this.read(this.deps.db, userId, false);
    return {
      version: SETTINGS_EXPORT_VERSION,
      exportedAt: new Date(this.now()).toISOString(),
      settings: exportableSettings(s),
    };
  }

  /**
   * Replace the settings with an export file's (already validated against the schema). The PIN is
   * not in the file: the current one is kept, and a file asking for the lock on without a stored
   * PIN is refused as a whole, inside the same transaction, so a bad file changes nothing.
   */
  async import(userId: string, file: SettingsExport): Promise<SettingsView> {
    return this.change(userId, (current) => applySettingsUpdate(current, file.settings, null, this.now()));
  }

  // Read-modify-write in one transaction. On PostgreSQL the row is made to exist and locked
  // (FOR UPDATE), so concurrent changes of different keys cannot lose each other, even on a
  // user's first change; SQLite has a single writer anyway. A refusal rolls everything back.
  private async change(
    userId: string,
    apply: (current: StoredSettings) => StoredSettings,
  ): Promise<SettingsView> {
    return this.deps.db.transaction().execute(async (trx) => {
      if (this.deps.dialect === "postgres") {
        await trx
          .insertInto("user_settings")
          .values(toRow(userId, defaultSettings()))
          .onConflict((oc) => oc.column("user_id").doNothing())
          .execute();
      }
      const current = await this.read(trx, userId, true);
      const next = apply(current);
      const row = toRow(userId, next);
      const { user_id: _, ...changes } = row;
      await trx
        .insertInto("user_settings")
        .values(row)
        .onConflict((oc) => oc.column("user_id").doUpdateSet(changes))
        .execute();
      return settingsView(next);
    });
  }

  private async read(
    db: Kysely<CloudDatabase> | Transaction<CloudDatabase>,
    userId: string,
    lock: boolean,
  ): Promise<StoredSettings> {
    let q = db.selectFrom("user_settings").selectAll().where("user_id", "=", userId);
    if (lock && this.deps.dialect === "postgres") q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row ? fromRow(row) : defaultSettings();
  }
}

function fromRow(row: UserSettingsTable): StoredSettings {
  return {
    notificationsEnabled: fromFlag(row.notifications_enabled),
    emailNotifications: fromFlag(row.email_notifications),
    defaultMotionSensitivity: row.default_motion_sensitivity,
    recordingQuality: row.recording_quality,
    storageDays: row.storage_days,
    appLock: { enabled: fromFlag(row.app_lock_enabled) },
    pinHash: row.app_lock_pin_hash,
    updatedAt: row.updated_at,
  };
}

function toRow(userId: string, s: StoredSettings): UserSettingsTable {
  return {
    user_id: userId,
    notifications_enabled: toFlag(s.notificationsEnabled),
    email_notifications: toFlag(s.emailNotifications),
    default_motion_sensitivity: s.defaultMotionSensitivity,
    recording_quality: s.recordingQuality,
    storage_days: s.storageDays,
    app_lock_enabled: toFlag(s.appLock.enabled),
    app_lock_pin_hash: s.pinHash,
    updated_at: s.updatedAt ?? 0,
  };
}
