// Plain-text formatting for the `homecam` commands' human output (pure functions). Scripts use
// `--json`; these tables are for people at a terminal over SSH, so they stay ASCII-aligned and fit
// a narrow window when they can.

/** Columns separated by two spaces, each padded to its widest cell; `right` lists columns aligned right. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  opts: { right?: readonly number[] } = {},
): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? "")].length)));
  const right = new Set(opts.right ?? []);
  const lines = all.map((r) =>
    header
      .map((_, i) => {
        const cell = r[i] ?? "";
        const pad = " ".repeat((widths[i] ?? 0) - [...cell].length);
        if (right.has(i)) return pad + cell;
        return i === header.length - 1 ? cell : cell + pad;
      })
      .join("  ")
      .trimEnd(),
  );
  return `${lines.join("\n")}\n`;
}

function two(n: number): string {
  return String(n).padStart(2, "0");
}

/** `2025-06-01 14:03:27` in the host's local time zone; `-` for null. */
export function formatLocalTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "-";
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
  );
}

/** `850 ms`, `12.4 s`, `3 min 05 s`, `2 h 07 min`; `-` for null (an event still in progress). */
export function formatDurationMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "-";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const s = Math.round(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)} min ${two(s % 60)} s`;
  const m = Math.floor(s / 60);
  if (m < 24 * 60) return `${Math.floor(m / 60)} h ${two(m % 60)} min`;
  return `${Math.floor(m / 1_440)} d ${two(Math.floor((m % 1_440) / 60))} h`;
}

const BYTE_UNITS = ["KiB", "MiB", "GiB", "TiB"] as const;

/** `512 B`, `1.5 KiB`, `23.4 MiB`, `1.2 GiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "-";
  if (bytes < 1024) return `${bytes} B`;
  let v = bytes / 1024;
  let unit = 0;
  while (v >= 1024 && unit < BYTE_UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** `-` for an empty or missing cell. */
export function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === "") return "-";
  return String(value);
}
