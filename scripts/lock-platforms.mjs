// Keeps package-lock.json valid for `npm ci` when the registry this project installs from only
// carries some platform builds of a package (here: Biome's linux-x64/arm64 glibc binaries).
// npm install silently leaves the unreachable optional platform packages out of the lock, and
// `npm ci` then refuses the lock ("Missing: @biomejs/cli-… from lock file"). This adds an entry
// per missing optional package, with the os/cpu/libc its name encodes, so `npm ci` skips it as
// "wrong platform" instead of fetching it. Run after `npm install`: node scripts/lock-platforms.mjs
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(file, "utf8"));
const PLATFORM = /-(android|darwin|linux|win32|freebsd)-(x64|arm64|ia32|arm)(-(musl|gnu|msvc))?$/;
let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] || lock.packages[`${path}/${key}`]) continue;
    const m = PLATFORM.exec(name);
    if (!m) continue;
    lock.packages[key] = {
      version,
      cpu: [m[2]],
      ...(pkg.dev ? { dev: true } : {}),
      ...(m[4] === "musl" ? { libc: ["musl"] } : m[1] === "linux" ? { libc: ["glibc"] } : {}),
      optional: true,
      os: [m[1]],
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-platforms: added ${added} optional platform entries`);
