import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { ApiError } from "@homecam/shared";
import express from "express";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createStorage } from "../../../src/storage/create-storage.js";
import { createFsDriver, type FsStorageDriver } from "../../../src/storage/fs-driver.js";
import { fsMediaRouter } from "../../../src/storage/fs-media-routes.js";
import { silentLogger } from "../../helpers/logs.js";
import { makeTestMp4, pathOf, patternBytes, rawRequest } from "./storage-fixtures.js";

// The fs driver over a real HTTP server on port 0: its URLs are the only authorization, so every
// way of bending one (expiry, key, signature, length, path encoding) must end in a refusal.

let stateDir: string;
let server: Server;
let base: string;
let driver: FsStorageDriver;
let now = Date.UTC(2030, 0, 1);
let mp4: Buffer;
const clock = { now: () => now };
const KEY = "devices/dev1/cam1/clip.mp4";

async function upload(key: string, body: Buffer, opts: { len?: number | "none"; expiresInS?: number } = {}) {
  const put = await driver.presignPut(key, {
    contentType: "video/mp4",
    ...(opts.len === "none" ? {} : { contentLength: opts.len ?? body.length }),
    expiresInS: opts.expiresInS ?? 300,
  });
  return fetch(put.url, { method: "PUT", headers: put.headers, body });
}

async function errorCode(res: Response): Promise<string> {
  const json = (await res.json()) as { ok: boolean; error: { code: string } };
  expect(json.ok).toBe(false);
  return json.error.code;
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "hc-fs-storage-"));
  mp4 = await makeTestMp4(stateDir);
  const app = express();
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  driver = await createFsDriver({ stateDir, publicUrl: `${base}/`, clock });
  app.use(fsMediaRouter(driver, silentLogger()));
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await rm(stateDir, { recursive: true, force: true });
});

beforeEach(() => {
  now = Date.UTC(2030, 0, 1);
});

describe("fs storage driver", () => {
  it("round-trips an MP4 through presigned PUT and GET", async () => {
    const put = await upload(KEY, mp4);
    expect(put.status).toBe(200);
    expect(put.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await driver.head(KEY)).toEqual({ sizeBytes: mp4.length });

    const get = await driver.presignGet(KEY, { expiresInS: 120 });
    expect(get.expiresAt).toBe(now + 120_000);
    const res = await fetch(get.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("cache-control")).toBe("private, max-age=120");
    expect(Buffer.from(await res.arrayBuffer()).equals(mp4)).toBe(true);

    // Objects and the URL key live under the state directory, private to the service user.
    expect((await stat(join(stateDir, "objects"))).mode & 0o777).toBe(0o700);
    expect((await stat(join(stateDir, "keys", "media-url-hmac.key"))).mode & 0o777).toBe(0o600);
  });

  it("serves byte ranges (206) and a download name", async () => {
    await upload(KEY, mp4);
    const get = await driver.presignGet(KEY, { expiresInS: 60, downloadName: "front door.mp4" });
    const res = await fetch(get.url, { headers: { Range: "bytes=100-1099" } });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe(`bytes 100-1099/${mp4.length}`);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="front door.mp4"');
    expect(Buffer.from(await res.arrayBuffer()).equals(mp4.subarray(100, 1100))).toBe(true);

    const unsatisfiable = await fetch(get.url, { headers: { Range: `bytes=${mp4.length + 10}-` } });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers.get("content-range")).toBe(`bytes */${mp4.length}`);
    await unsatisfiable.arrayBuffer();
  });

  it("refuses an expired URL with 403, accepts it until then", async () => {
    await upload(KEY, mp4);
    const get = await driver.presignGet(KEY, { expiresInS: 60 });
    now += 59_000;
    const before = await fetch(get.url);
    expect(before.status).toBe(200);
    expect(before.headers.get("cache-control")).toBe("private, max-age=1");
    await before.arrayBuffer();
    now += 1_000;
    const after = await fetch(get.url);
    expect(after.status).toBe(403);
    expect(await errorCode(after)).toBe("E_FORBIDDEN");

    const put = await driver.presignPut("devices/dev1/late.mp4", {
      contentType: "video/mp4",
      expiresInS: 10,
    });
    now += 10_000;
    const late = await fetch(put.url, { method: "PUT", body: mp4 });
    expect(late.status).toBe(403);
    expect(await driver.head("devices/dev1/late.mp4")).toBeNull();
  });

  it("refuses tampered keys, signatures, expiries and lengths, and another object's signature", async () => {
    await upload(KEY, mp4);
    await upload("devices/dev1/other.mp4", mp4);
    const get = new URL((await driver.presignGet(KEY, { expiresInS: 60 })).url);
    const sig = get.searchParams.get("sig") ?? "";
    const variants: string[] = [];
    const withParam = (name: string, value: string) => {
      const u = new URL(get);
      u.searchParams.set(name, value);
      return u.toString();
    };
    variants.push(get.toString().replace("clip.mp4", "other.mp4")); // another object, this signature
    variants.push(withParam("sig", `${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`));
    variants.push(withParam("exp", String(Number(get.searchParams.get("exp")) + 3600)));
    variants.push(withParam("len", "10"));
    variants.push(withParam("name", "x.mp4"));
    variants.push(`${get.toString()}&sig=${sig}`); // repeated parameter
    const noSig = new URL(get);
    noSig.searchParams.delete("sig");
    variants.push(noSig.toString());
    for (const url of variants) {
      const res = await fetch(url);
      expect(res.status, url).toBe(403);
      expect(await errorCode(res)).toBe("E_FORBIDDEN");
    }

    // A GET URL is not a PUT URL, and a PUT URL for one key does not write another.
    const asPut = await fetch(get, { method: "PUT", body: Buffer.from("overwrite") });
    expect(asPut.status).toBe(403);
    const put = await driver.presignPut("devices/dev1/a.jpg", { contentType: "image/jpeg", expiresInS: 60 });
    const elsewhere = await fetch(put.url.replace("a.jpg", "b.jpg"), {
      method: "PUT",
      body: Buffer.from("x"),
    });
    expect(elsewhere.status).toBe(403);
    expect(await driver.head("devices/dev1/b.jpg")).toBeNull();
    expect((await driver.head(KEY))?.sizeBytes).toBe(mp4.length);
  });

  it("refuses a body longer than signed, or than the hard cap, and leaves no partial file", async () => {
    const key = "devices/dev1/big.mp4";
    const body = patternBytes(4096);
    const put = await driver.presignPut(key, {
      contentType: "video/mp4",
      contentLength: 1000,
      expiresInS: 60,
    });
    // Declared too long: refused before reading.
    const declared = await rawRequest(base, "PUT", pathOf(put.url), {
      headers: { "Content-Length": String(body.length) },
      chunks: [body],
    });
    expect(declared.status).toBe(413);
    // Chunked, so only counting can tell: refused once the signed length is passed.
    const chunked = await rawRequest(base, "PUT", pathOf(put.url), {
      chunks: [body.subarray(0, 900), body.subarray(900)],
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body.toString()).error.code).toBe("E_PAYLOAD_TOO_LARGE");
    // Shorter than signed is a broken upload, not an object.
    const short = await rawRequest(base, "PUT", pathOf(put.url), { chunks: [body.subarray(0, 999)] });
    expect(short.status).toBe(400);
    expect(await driver.head(key)).toBeNull();

    // The hard cap holds when no length was signed.
    const capped = await createFsDriver({ stateDir, publicUrl: base, clock, maxObjectBytes: 2048 });
    const unsized = await capped.presignPut(key, { contentType: "video/mp4", expiresInS: 60 });
    expect(unsized.url).not.toContain("len=");
    await expect(capped.receive(key, Readable.from([body]))).rejects.toMatchObject({
      code: "E_PAYLOAD_TOO_LARGE",
    });
    expect(await driver.head(key)).toBeNull();
    expect(await readdir(join(stateDir, "objects-partial"))).toEqual([]);

    // Exactly the signed length is accepted.
    const exact = await rawRequest(base, "PUT", pathOf(put.url), { chunks: [body.subarray(0, 1000)] });
    expect(exact.status).toBe(200);
    expect(await driver.head(key)).toEqual({ sizeBytes: 1000 });
  });

  it("refuses traversal and encoded paths with 400/403 and never serves outside the root", async () => {
    const get = new URL((await driver.presignGet(KEY, { expiresInS: 60 })).url);
    const q = get.search;
    const attempts = [
      `/media/fs/devices/dev1/../../keys/media-url-hmac.key${q}`,
      `/media/fs/devices/dev1/%2e%2e/%2e%2e/keys/media-url-hmac.key${q}`,
      `/media/fs/devices%2Fdev1%2Fcam1%2Fclip.mp4${q}`,
      `/media/fs/devices/dev1/cam1/clip%2emp4${q}`,
      `/media/fs//etc/passwd${q}`,
      `/media/fs/..%2f..%2fkeys%2fmedia-url-hmac.key${q}`,
      `/media/fs/${q}`,
    ];
    for (const path of attempts) {
      const res = await rawRequest(base, "GET", path);
      expect([400, 403], path).toContain(res.status);
      expect(res.body.toString()).toContain('"ok":false');
    }
    expect(() => driver.objectPath("../keys/media-url-hmac.key")).toThrow(ApiError);
    const signedTraversal = await driver
      .presignGet("devices/dev1/../../keys/x", { expiresInS: 60 })
      .catch((e) => e);
    expect(signedTraversal).toMatchObject({ code: "E_VALIDATION" });
  });

  it("answers 404 for a signed URL of a missing object, 405 for other methods", async () => {
    const get = await driver.presignGet("devices/dev1/missing.mp4", { expiresInS: 60 });
    const res = await fetch(get.url);
    expect(res.status).toBe(404);
    expect(await errorCode(res)).toBe("E_NOT_FOUND");
    const del = await fetch(get.url, { method: "DELETE" });
    expect(del.status).toBe(405);
  });

  it("deletes objects, passes its write test, and is what createStorage builds for fs", async () => {
    await upload(KEY, mp4);
    await driver.delete(KEY);
    expect(await driver.head(KEY)).toBeNull();
    await driver.delete(KEY);
    await driver.putTest();
    expect(await readdir(join(stateDir, "objects", "homecam-probe"))).toEqual([]);

    const built = await createStorage(
      { driver: "fs" },
      { stateDir, publicUrl: base, log: silentLogger(), clock },
    );
    expect(built.kind).toBe("fs");
    expect(built.multipart).toBe(false);
    // Same state directory, same key file: URLs from either verify on the other.
    const url = (await built.presignPut(KEY, { contentType: "video/mp4", contentLength: 3, expiresInS: 60 }))
      .url;
    expect((await fetch(url, { method: "PUT", body: Buffer.from("abc") })).status).toBe(200);
  });
});
