import { ApiError, deviceObjectPrefix, objectKeySchema } from "@homecam/shared";

/**
 * `key` if it is a valid object key (relative, `/`-separated `[A-Za-z0-9._-]` segments, no `.` or
 * `..`), else an `E_VALIDATION` error. Every driver entry point runs keys through this.
 */
export function parseObjectKey(key: string): string {
  const parsed = objectKeySchema.safeParse(key);
  if (!parsed.success) throw new ApiError("E_VALIDATION", "invalid object key");
  return parsed.data;
}

/**
 * Refuse a key that is not a valid key under `devices/<deviceId>/` (another device's object,
 * traversal, an absolute path): a device may only presign its own objects. `E_FORBIDDEN`, since
 * the caller is authenticated but asks for something that is not theirs.
 */
export function assertKeyOfDevice(key: string, deviceId: string): string {
  const valid = parseObjectKey(key);
  const prefix = deviceObjectPrefix(deviceId);
  if (!valid.startsWith(prefix) || valid.length === prefix.length) {
    throw new ApiError("E_FORBIDDEN", "object key outside the device's prefix");
  }
  return valid;
}

/** The probe object {@link StorageDriver.putTest} writes; outside every device's prefix. */
export function probeObjectKey(random: string): string {
  return parseObjectKey(`homecam-probe/${random}`);
}
