import { ApiError, settingsExportSchema, settingsUpdateSchema, userSettingsSchema } from "@homecam/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applySettingsUpdate,
  defaultSettings,
  exportableSettings,
  type StoredSettings,
  settingsView,
} from "../../../src/settings/settings-model.js";

const NOW = 1_700_000_000_000;
const withPin = (enabled: boolean): StoredSettings => ({
  ...defaultSettings(),
  appLock: { enabled },
  pinHash: "scrypt$old",
  updatedAt: 1,
});

function refusal(fn: () => unknown): { path: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe("E_VALIDATION");
    return ((err as ApiError).details as { issues: { path: string }[] }).issues[0]!;
  }
  throw new Error("expected a refusal");
}

describe("settings schema", () => {
  it("has the seed's defaults", () => {
    expect(userSettingsSchema.parse({})).toEqual({
      notificationsEnabled: true,
      emailNotifications: true,
      defaultMotionSensitivity: 50,
      recordingQuality: "medium",
      storageDays: 30,
      appLock: { enabled: false },
    });
  });

  it.each([
    [{ defaultMotionSensitivity: 0 }],
    [{ defaultMotionSensitivity: 101 }],
    [{ defaultMotionSensitivity: 50.5 }],
    [{ recordingQuality: "ultra" }],
    [{ storageDays: 0 }],
    [{ appLock: { pin: "123" } }],
    [{ appLock: { pin: "123456789" } }],
    [{ appLock: { pin: "12a4" } }],
    [{ unknownKey: true }],
    [{ notificationsEnabled: "yes" }],
  ])("refuses the update %j", (update) => {
    expect(settingsUpdateSchema.safeParse(update).success).toBe(false);
  });

  it("accepts 4 to 8 digit PINs, leading zeros included", () => {
    for (const pin of ["0000", "01234567"]) {
      expect(settingsUpdateSchema.parse({ appLock: { pin } })).toEqual({ appLock: { pin } });
    }
  });

  it("export files never carry a PIN", () => {
    const file = { version: 1, exportedAt: new Date(NOW).toISOString(), settings: {} };
    expect(settingsExportSchema.safeParse(file).success).toBe(true);
    const withPinFile = { ...file, settings: { appLock: { enabled: true, pin: "1234" } } };
    expect(settingsExportSchema.safeParse(withPinFile).success).toBe(false);
    expect(settingsExportSchema.safeParse({ ...file, version: 2 }).success).toBe(false);
  });
});

describe("applySettingsUpdate", () => {
  it("changes only the keys given and stamps the time", () => {
    const next = applySettingsUpdate(
      defaultSettings(),
      { storageDays: 7, recordingQuality: "high" },
      null,
      NOW,
    );
    expect(next).toEqual({ ...defaultSettings(), storageDays: 7, recordingQuality: "high", updatedAt: NOW });
  });

  it("sets a PIN and turns the lock on in one change", () => {
    const next = applySettingsUpdate(
      defaultSettings(),
      { appLock: { enabled: true, pin: "1234" } },
      "h",
      NOW,
    );
    expect(next.appLock.enabled).toBe(true);
    expect(next.pinHash).toBe("h");
  });

  it("refuses to turn the lock on without a PIN", () => {
    expect(
      refusal(() => applySettingsUpdate(defaultSettings(), { appLock: { enabled: true } }, null, NOW)),
    ).toEqual(expect.objectContaining({ path: "appLock.enabled" }));
  });

  it("turns the lock on with the stored PIN, and changes the PIN without touching the switch", () => {
    expect(
      applySettingsUpdate(withPin(false), { appLock: { enabled: true } }, null, NOW).appLock.enabled,
    ).toBe(true);
    const changed = applySettingsUpdate(withPin(true), { appLock: { pin: "9876" } }, "new", NOW);
    expect(changed.appLock.enabled).toBe(true);
    expect(changed.pinHash).toBe("new");
  });

  it("turning the lock off forgets the PIN; a PIN with 'off' is refused", () => {
    const off = applySettingsUpdate(withPin(true), { appLock: { enabled: false } }, null, NOW);
    expect(off).toMatchObject({ appLock: { enabled: false }, pinHash: null });
    expect(
      refusal(() =>
        applySettingsUpdate(withPin(true), { appLock: { enabled: false, pin: "1234" } }, "h", NOW),
      ).path,
    ).toBe("appLock.pin");
  });

  it("does not mutate its input", () => {
    const current = withPin(true);
    const copy = structuredClone(current);
    applySettingsUpdate(current, { appLock: { enabled: false }, storageDays: 3 }, null, NOW);
    expect(current).toEqual(copy);
  });

  it("never puts the PIN hash in a view or an export (property)", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.option(fc.string().map((x) => `scrypt$HASH${x}`)), (enabled, pinHash) => {
        const s: StoredSettings = { ...defaultSettings(), appLock: { enabled }, pinHash };
        const text = JSON.stringify([settingsView(s), exportableSettings(s)]);
        if (pinHash !== null) expect(text).not.toContain("HASH");
        expect(settingsView(s).appLock).toEqual({ enabled, pinSet: pinHash !== null });
      }),
    );
  });
});
