import {
  ApiError,
  type SettingsUpdate,
  type SettingsView,
  type UserSettings,
  userSettingsSchema,
} from "@homecam/shared";

// Pure decisions about a user's settings: defaults, applying a change (with the app-lock rules)
// and the views answered. The store around it does the I/O.

/** What is stored per user: the settings plus the PIN hash, which never leaves the server. */
export interface StoredSettings extends UserSettings {
  pinHash: string | null;
  updatedAt: number | null;
}

/** Every value at its default, no PIN, never changed. */
export function defaultSettings(): StoredSettings {
  return { ...userSettingsSchema.parse({}), pinHash: null, updatedAt: null };
}

/**
 * `current` with `update` applied. `newPinHash` is the hash of `update.appLock.pin` (hashed by
 * the caller beforehand: scrypt is slow and must not run inside a transaction). App-lock rules:
 * turning the lock on needs a PIN (stored or given now); turning it off forgets the PIN, so the
 * next "on" asks for a new one; a PIN cannot come with "off". Throws E_VALIDATION otherwise.
 */
export function applySettingsUpdate(
  current: StoredSettings,
  update: SettingsUpdate,
  newPinHash: string | null,
  now: number,
): StoredSettings {
  const { appLock, ...plain } = update;
  const next: StoredSettings = { ...current, appLock: { ...current.appLock }, updatedAt: now };
  for (const [key, value] of Object.entries(plain)) {
    if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value;
  }
  if (appLock) {
    if (appLock.enabled === false) {
      if (appLock.pin !== undefined) refuse("appLock.pin", "a PIN cannot be set while turning the lock off");
      next.appLock.enabled = false;
      next.pinHash = null;
    } else {
      if (appLock.pin !== undefined) {
        if (newPinHash === null) throw new Error("applySettingsUpdate: pin given without its hash");
        next.pinHash = newPinHash;
      }
      if (appLock.enabled === true) {
        if (next.pinHash === null) refuse("appLock.enabled", "set a PIN to turn the app lock on");
        next.appLock.enabled = true;
      }
    }
  }
  return next;
}

function refuse(path: string, message: string): never {
  throw new ApiError("E_VALIDATION", message, { issues: [{ path, message }] });
}

/** The settings as answered: the PIN is reduced to whether one is set. */
export function settingsView(s: StoredSettings): SettingsView {
  return {
    notificationsEnabled: s.notificationsEnabled,
    emailNotifications: s.emailNotifications,
    defaultMotionSensitivity: s.defaultMotionSensitivity,
    recordingQuality: s.recordingQuality,
    storageDays: s.storageDays,
    appLock: { enabled: s.appLock.enabled, pinSet: s.pinHash !== null },
    updatedAt: s.updatedAt,
  };
}

/** The exportable settings (no PIN, no hash). */
export function exportableSettings(s: StoredSettings): UserSettings {
  return {
    notificationsEnabled: s.notificationsEnabled,
    emailNotifications: s.emailNotifications,
    defaultMotionSensitivity: s.defaultMotionSensitivity,
    recordingQuality: s.recordingQuality,
    storageDays: s.storageDays,
    appLock: { enabled: s.appLock.enabled },
  };
}
