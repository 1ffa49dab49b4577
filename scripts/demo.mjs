// The demo: one cloud and one agent with a synthetic camera, everything under .demo/.
// Started by `npm start` (through scripts/demo.sh, which sets up first). Ctrl-C stops both.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import QRCode from "qrcode";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const demo = resolve(process.env.HOMECAM_DEMO_DIR ?? join(root, ".demo"));
const ports = {
  cloud: Number(process.env.HOMECAM_DEMO_CLOUD_PORT ?? 4001),
  agent: Number(process.env.HOMECAM_DEMO_AGENT_PORT ?? 4080),
  mqtt: Number(process.env.HOMECAM_DEMO_MQTT_PORT ?? 1883),
};

/** Write a config file once; later runs keep the user's edits. */
function writeOnce(file, text) {
  if (!existsSync(file)) writeFileSync(file, text);
}

function writeConfigs() {
  for (const d of ["cloud", "agent", "mail"]) mkdirSync(join(demo, d), { recursive: true });
  writeOnce(
    join(demo, "cloud.yaml"),
    `# homecam demo cloud (generated once; edit freely)
stateDir: ${join(demo, "cloud")}
http: { host: 127.0.0.1, port: ${ports.cloud}, publicUrl: "http://127.0.0.1:${ports.cloud}" }
database: { url: "sqlite:cloud.db" }
mqtt: { host: 127.0.0.1, port: ${ports.mqtt} }
mail: { mailDir: ${join(demo, "mail")} }
`,
  );
  writeOnce(
    join(demo, "agent.yaml"),
    `# homecam demo agent with a synthetic camera (generated once; edit freely)
stateDir: ${join(demo, "agent")}
http: { host: 127.0.0.1, port: ${ports.agent} }
cloud:
  enabled: true
  url: http://127.0.0.1:${ports.cloud}
  mqttUrl: mqtt://127.0.0.1:${ports.mqtt}
cameras:
  - id: demo-cam
    name: Demo camera
    source: { type: test, width: 640, height: 360, fps: 10 }
storage: { days: 7, maxDiskMB: 1024, minFreeMB: 256 }
`,
  );
}

const children = new Map();
let stopping = false;

function start(name, args) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  children.set(name, child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => console.log(`[${name}] ${pretty(line)}`));
  }
  child.on("exit", (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`[demo] ${name} exited (${signal ?? code}); stopping the demo`);
      void stopAll(1);
    }
  });
  return child;
}

/** pino JSON → `level msg key=value`, readable in a terminal. */
function pretty(line) {
  try {
    const { level, time, pid, hostname, name, msg, v, ...rest } = JSON.parse(line);
    const lvl =
      { 10: "trace", 20: "debug", 30: "info", 40: "WARN", 50: "ERROR", 60: "FATAL" }[level] ?? level;
    const extra = Object.entries(rest)
      .map(([k, val]) => `${k}=${typeof val === "object" ? JSON.stringify(val) : val}`)
      .join(" ");
    return `${lvl} ${msg ?? ""} ${extra}`.trimEnd();
  } catch {
    return line;
  }
}

async function waitHealthy(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(url);
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  const exits = [...children.values()].map(
    (c) =>
      new Promise((r) => {
        c.once("exit", r);
        c.kill("SIGTERM");
        setTimeout(() => c.kill("SIGKILL"), 10_000).unref();
      }),
  );
  await Promise.all(exits);
  process.exit(code);
}

process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

writeConfigs();
start("cloud", ["cloud/bin/homecam-cloud.js", "run", "--config", join(demo, "cloud.yaml")]);
const cloudUrl = `http://127.0.0.1:${ports.cloud}`;
if (!(await waitHealthy(`${cloudUrl}/health`, 30_000))) {
  console.error("[demo] the cloud did not become healthy in 30 s");
  await stopAll(1);
}
start("agent", ["agent/bin/homecam.js", "run", "--config", join(demo, "agent.yaml")]);
const agentUrl = `http://127.0.0.1:${ports.agent}`;
if (!(await waitHealthy(`${agentUrl}/health`, 30_000))) {
  console.error("[demo] the agent did not become healthy in 30 s");
  await stopAll(1);
}
console.log(`
  homecam demo is running (Ctrl-C stops it)
    cloud   ${cloudUrl}        health: ${cloudUrl}/health   db: ${cloudUrl}/api/health/db
    agent   ${agentUrl}        health: ${agentUrl}/health
    mqtt    mqtt://127.0.0.1:${ports.mqtt}
    files   ${demo}   (configs, SQLite, clips, mail)
`);

// A pairing session for the demo camera, as `npx homecam pair --json` gives one: PIN and QR here,
// the claim on the viewer side (or with scripts/demo-curl.sh).
async function printPairing() {
  const cli = ["agent/bin/homecam.js", "pair", "--json", "--config", join(demo, "agent.yaml")];
  for (let attempt = 1; attempt <= 10 && !stopping; attempt++) {
    try {
      const { stdout } = await promisify(execFile)(process.execPath, cli, { cwd: root, timeout: 20_000 });
      const session = JSON.parse(stdout);
      const qr = await QRCode.toString(session.url, { type: "terminal", small: true });
      console.log(`  Pair the demo camera: PIN ${session.pin} (until ${new Date(session.expiresAt).toLocaleTimeString()})
  or scan / open ${session.url}
${qr}
  A fresh PIN at any time: npx homecam pair --config ${join(demo, "agent.yaml")}   (--json for scripts)
`);
      return;
    } catch (err) {
      // The control socket may not be listening yet right after /health answers.
      if (attempt === 10) console.error(`[demo] no pairing PIN: ${err.stderr?.trim() || err.message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
await printPairing();
