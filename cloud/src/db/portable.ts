import type { Flag } from "./schema.js";

// Conversions for the portable column types described in schema.ts.

/** A JS boolean as stored in an `integer` flag column. */
export function toFlag(value: boolean): Flag {
  return value ? 1 : 0;
}

/** A flag column read back as a boolean (anything but 0 is true, as in SQL). */
export function fromFlag(value: number): boolean {
  return value !== 0;
}

/**
 * node-pg's parser for int8 (`bigint`, `count(*)`): a JS number, so both dialects return the same
 * type. A value outside the safe-integer range throws instead of silently losing precision.
 */
export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} does not fit a JS number`);
  return n;
}
