import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ControlClient } from "../../../src/control/control-client.js";
import { ControlError } from "../../../src/control/control-error.js";
import { ControlServer } from "../../../src/control/control-server.js";
import { controlSocketPath, MAX_IN_FLIGHT_PER_CONNECTION } from "../../../src/control/protocol.js";
import { FakeCameraControl, fakeJpeg } from "./fake-camera-control.js";

const silent = { info: () => {}, warn: () => {}, debug: () => {} };

/** A raw protocol connection: write lines, read answer lines one by one. */
class RawConnection {
  readonly socket: Socket;
  #buffer = "";
  #lines: string[] = [];
  #waiters: (() => void)[] = [];
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (d: Buffer) => {
      this.#buffer += d.toString();
      let nl = this.#buffer.indexOf("\n");
      while (nl !== -1) {
        this.#lines.push(this.#buffer.slice(0, nl));
        this.#buffer = this.#buffer.slice(nl + 1);
        nl = this.#buffer.indexOf("\n");
      }
      this.#wake();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
      this.#wake();
    });
  }

  static async open(path: string): Promise<RawConnection> {
    const socket = connect({ path });
    await once(socket, "connect");
    return new RawConnection(socket);
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** The next answer line as JSON; rejects if the connection closes first. */
  async next(): Promise<Record<string, unknown>> {
    while (this.#lines.length === 0) {
      if (this.closed) throw new Error("connection closed");
      await new Promise<void>((r) => this.#waiters.push(r));
    }
    return JSON.parse(this.#lines.shift()!) as Record<string, unknown>;
  }

  async waitClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => this.#waiters.push(r));
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

describe("ControlServer over a real Unix socket", () => {
  let dir: string;
  let socketPath: string;
  let control: FakeCameraControl;
  const servers: ControlServer[] = [];
  const closers: (() => void)[] = [];

  async function startServer(opts: { maxLineBytes?: number } = {}): Promise<ControlServer> {
    const server = new ControlServer({ socketPath, control, log: silent, ...opts });
    await server.start(new AbortController().signal);
    servers.push(server);
    return server;
  }

  async function client(): Promise<ControlClient> {
    const c = await ControlClient.connect(socketPath);
    closers.push(() => c.close());
    return c;
  }

  async function raw(): Promise<RawConnection> {
    const r = await RawConnection.open(socketPath);
    closers.push(() => r.socket.destroy());
    return r;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "homecam-ctl-"));
    socketPath = controlSocketPath(dir);
    control = new FakeCameraControl();
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) close();
    for (const s of servers.splice(0)) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates <stateDir>/control.sock as a socket with mode 0600 and restores the umask", async () => {
    const original = process.umask(0o022);
    try {
      await startServer();
      // The umask setter returns the previous mask: the server put back what it found.
      expect(process.umask(0o022)).toBe(0o022);
    } finally {
      process.umask(original);
    }
    expect(socketPath).toBe(join(dir, "control.sock"));
    const st = lstatSync(socketPath);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });

  it("answers status, snapshot and record through the client", async () => {
    await startServer();
    const c = await client();
    const status = await c.call("status", {});
    expect(status.cameras.map((cam) => cam.id)).toEqual(["front-door", "garage"]);
    expect(status.cameras[1]).toMatchObject({
      status: "reconnecting",
      reason: expect.stringContaining("refused"),
    });
    expect(status.host).toEqual(control.hostState);

    const snap = await c.call("snapshot", { cameraId: "front-door" });
    expect(snap.contentType).toBe("image/jpeg");
    expect(Buffer.from(snap.dataBase64, "base64")).toEqual(fakeJpeg("front-door"));
    expect(snap.bytes).toBe(fakeJpeg("front-door").length);

    const rec = await c.call("record", { cameraId: "front-door", seconds: 3 });
    expect(rec.recordings[0]).toMatchObject({ path: "/clips/front-door/manual-1.mp4", durationMs: 3000 });
    expect(control.recordCalls[0]).toMatchObject({ cameraId: "front-door", seconds: 3 });
  });

  it("passes the camera pipeline's error codes through (unknown camera thrown synchronously, offline)", async () => {
    await startServer();
    const c = await client();
    const unknown = await c.call("record", { cameraId: "attic", seconds: 5 }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ControlError);
    expect(unknown).toMatchObject({ code: "HC_ERR_CONTROL_REMOTE", remoteCode: "HC_ERR_CAMERA_NOT_FOUND" });
    const offline = await c.call("snapshot", { cameraId: "garage" }).catch((e: unknown) => e);
    expect(offline).toMatchObject({
      remoteCode: "HC_ERR_CAMERA_OFFLINE",
      message: "camera garage is reconnecting",
    });
    // The connection is still good afterwards.
    expect((await c.call("status", {})).cameras).toHaveLength(2);
  });

  it("answers a garbage line with E_BAD_REQUEST and keeps serving the connection and others", async () => {
    await startServer();
    const r = await raw();
    r.send("this is not json\n");
    expect(await r.next()).toEqual({
      id: null,
      ok: false,
      error: { code: "E_BAD_REQUEST", message: expect.any(String) },
    });
    r.send('{"id": 7, "method": 42}\n');
    expect(await r.next()).toMatchObject({ id: 7, ok: false, error: { code: "E_BAD_REQUEST" } });
    r.send("\n[1,2,3]\n");
    expect(await r.next()).toMatchObject({ id: null, ok: false, error: { code: "E_BAD_REQUEST" } });
    r.send('{"id": 8, "method": "status"}\r\n');
    expect(await r.next()).toMatchObject({ id: 8, ok: true, result: { cameras: expect.any(Array) } });
    const other = await client();
    expect((await other.call("status", {})).cameras).toHaveLength(2);
  });

  it("validates params with zod and names the field; unknown methods are E_NOT_IMPLEMENTED", async () => {
    await startServer();
    const r = await raw();
    r.send('{"id": "a", "method": "record", "params": {"cameraId": "front-door", "seconds": 601}}\n');
    const tooLong = await r.next();
    expect(tooLong).toMatchObject({ id: "a", ok: false, error: { code: "E_VALIDATION" } });
    expect((tooLong.error as { message: string }).message).toMatch(/^seconds: /);
    r.send('{"id": "b", "method": "record", "params": {"cameraId": "front-door", "seconds": 0.5}}\n');
    expect(await r.next()).toMatchObject({ id: "b", error: { code: "E_VALIDATION" } });
    r.send('{"id": "c", "method": "snapshot", "params": {"cameraId": "front-door", "extra": 1}}\n');
    expect(await r.next()).toMatchObject({
      id: "c",
      error: { code: "E_VALIDATION", message: "unknown field 'extra'" },
    });
    r.send('{"id": "d", "method": "reboot"}\n');
    expect(await r.next()).toMatchObject({ id: "d", error: { code: "E_NOT_IMPLEMENTED" } });
    expect(control.recordCalls).toHaveLength(0);
  });

  it("refuses an oversized line with E_PAYLOAD_TOO_LARGE, closes that connection, and keeps running", async () => {
    await startServer({ maxLineBytes: 1024 });
    const r = await raw();
    // Sent in pieces without a newline: the limit applies before the line ends.
    r.send(`{"id": 1, "method": "status", "params": {"pad": "${"x".repeat(600)}`);
    r.send(`${"x".repeat(600)}"}}`);
    expect(await r.next()).toMatchObject({ id: null, ok: false, error: { code: "E_PAYLOAD_TOO_LARGE" } });
    await r.waitClosed();
    const c = await client();
    expect((await c.call("status", {})).cameras).toHaveLength(2);
  });

  it("answers pipelined requests by id, out of order, and refuses too many in flight", async () => {
    control.autoFinishRecord = false;
    await startServer();
    const r = await raw();
    r.send(
      '{"id": 1, "method": "record", "params": {"cameraId": "front-door", "seconds": 2}}\n{"id": 2, "method": "status"}\n',
    );
    expect(await r.next()).toMatchObject({ id: 2, ok: true });
    const call = await control.waitForRecordCalls(1);
    call.finish();
    expect(await r.next()).toMatchObject({ id: 1, ok: true, result: { eventId: "ev-1" } });
    r.send('{"id": 3, "method": "record", "params": {"cameraId": "front-door", "seconds": 2}}\n');
    r.send('{"id": 3, "method": "status"}\n');
    expect(await r.next()).toMatchObject({ id: 3, ok: false, error: { code: "E_CONFLICT" } });
    for (let i = 0; i < MAX_IN_FLIGHT_PER_CONNECTION; i++) {
      r.send(`{"id": ${100 + i}, "method": "record", "params": {"cameraId": "front-door", "seconds": 2}}\n`);
    }
    expect(await r.next()).toMatchObject({ id: 107, ok: false, error: { code: "E_RATE_LIMITED" } });
  });

  it("record answers only when the clip is written; the client waits", async () => {
    control.autoFinishRecord = false;
    await startServer();
    const c = await client();
    let settled = false;
    const pending = c.call("record", { cameraId: "front-door", seconds: 2 }).finally(() => {
      settled = true;
    });
    const call = await control.waitForRecordCalls(1);
    // The recording is in progress: a status call on the same connection is answered meanwhile.
    await c.call("status", {});
    expect(settled).toBe(false);
    call.finish({
      eventId: "ev-x",
      recordings: [{ id: "r", path: "/c/x.mp4", durationMs: 7000, sizeBytes: 9 }],
    });
    expect(await pending).toEqual({
      eventId: "ev-x",
      recordings: [{ id: "r", path: "/c/x.mp4", durationMs: 7000, sizeBytes: 9 }],
    });
  });

  it("cancels a recording when its client disconnects", async () => {
    control.autoFinishRecord = false;
    await startServer();
    const c = await client();
    void c.call("record", { cameraId: "front-door", seconds: 60 }).catch(() => {});
    const call = await control.waitForRecordCalls(1);
    expect(call.signal?.aborted).toBe(false);
    c.close();
    await new Promise<void>((resolve) => call.signal?.addEventListener("abort", () => resolve()));
    expect(call.signal?.aborted).toBe(true);
  });

  it("treats a client that closes its side as gone: its recording is cancelled", async () => {
    control.autoFinishRecord = false;
    await startServer();
    const r = await raw();
    r.socket.end('{"id": 1, "method": "record", "params": {"cameraId": "front-door", "seconds": 9}}\n');
    const call = await control.waitForRecordCalls(1);
    await r.waitClosed();
    await vi.waitFor(() => expect(call.signal?.aborted).toBe(true));
  });

  it("removes a stale socket left by a killed agent, then listens", async () => {
    // A process that binds the socket and dies without cleaning up, as after kill -9.
    const child = spawnSync(process.execPath, [
      "-e",
      `require("node:net").createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, "SIGKILL"))`,
    ]);
    expect(child.signal).toBe("SIGKILL");
    expect(lstatSync(socketPath).isSocket()).toBe(true);
    const refused = await ControlClient.connect(socketPath).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "HC_ERR_CONTROL_NOT_RUNNING" });
    expect((refused as Error).message).toContain("is `homecam run` running");

    await startServer();
    const c = await client();
    expect((await c.call("status", {})).cameras).toHaveLength(2);
  });

  it("does not take over the socket of an agent that answers, nor delete a file that is not a socket", async () => {
    const first = await startServer();
    const second = new ControlServer({ socketPath, control, log: silent });
    await expect(second.start(new AbortController().signal)).rejects.toMatchObject({
      code: "HC_ERR_CONTROL_IN_USE",
    });
    const c = await client();
    expect((await c.call("status", {})).cameras).toHaveLength(2);
    c.close();
    await first.stop();
    servers.splice(0);

    writeFileSync(socketPath, "not a socket");
    await expect(
      new ControlServer({ socketPath, control, log: silent }).start(new AbortController().signal),
    ).rejects.toMatchObject({ code: "HC_ERR_CONTROL_SOCKET_PATH" });
    expect(readFileSync(socketPath, "utf8")).toBe("not a socket");
  });

  it("stop() closes connections, fails calls in progress, and removes the socket file", async () => {
    control.autoFinishRecord = false;
    const server = await startServer();
    const c = await client();
    const pending = c.call("record", { cameraId: "front-door", seconds: 5 }).catch((e: unknown) => e);
    const call = await control.waitForRecordCalls(1);
    await server.stop();
    servers.splice(0);
    expect(await pending).toMatchObject({ code: "HC_ERR_CONTROL_CLOSED" });
    expect(call.signal?.aborted).toBe(true);
    expect(existsSync(socketPath)).toBe(false);
  });

  it("client: a clear error when no agent runs, and a timeout when the agent does not answer", async () => {
    const missing = await ControlClient.connect(socketPath).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ControlError);
    expect(missing).toMatchObject({ code: "HC_ERR_CONTROL_NOT_RUNNING" });
    expect((missing as Error).message).toBe(
      `the agent is not running: socket ${socketPath} not found (is \`homecam run\` running with this configuration?)`,
    );

    control.autoFinishRecord = false;
    await startServer();
    const c = await client();
    await expect(
      c.call("record", { cameraId: "front-door", seconds: 1 }, { timeoutMs: 100 }),
    ).rejects.toMatchObject({
      code: "HC_ERR_CONTROL_TIMEOUT",
    });
  });

  it("refuses a socket path longer than a Unix socket allows", async () => {
    socketPath = join(dir, `${"d".repeat(120)}.sock`);
    await expect(
      new ControlServer({ socketPath, control, log: silent }).start(new AbortController().signal),
    ).rejects.toMatchObject({ code: "HC_ERR_CONTROL_SOCKET_PATH" });
    expect(statSync(dir).isDirectory()).toBe(true);
  });
});
