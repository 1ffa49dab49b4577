import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Principal, rejectAllTokens, type TokenVerifier } from "../../src/http/auth-gate.js";
import { createLanApp } from "../../src/http/lan-app.js";
import { LanServer } from "../../src/http/lan-server.js";

const log = { info: () => {}, warn: () => {}, error: () => {} };

async function startServer(verifyToken: TokenVerifier = rejectAllTokens): Promise<LanServer> {
  const app = createLanApp({ version: "9.9.9", uptimeS: () => 42, verifyToken, log });
  const server = new LanServer({ app, host: "127.0.0.1", port: 0, log });
  await server.start(new AbortController().signal);
  return server;
}

describe("LAN server", () => {
  let server: LanServer;
  let base: string;

  beforeEach(async () => {
    server = await startServer();
    base = `http://127.0.0.1:${server.port}`;
  });
  afterEach(async () => {
    await server.stop();
  });

  it("listens on the port the OS chose and reports it", () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(base);
  });

  it("answers GET /health without a token, in the envelope", async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, data: { status: "ok", version: "9.9.9", uptimeS: 42 } });
  });

  it.each([
    ["GET", "/events", undefined],
    ["GET", "/", undefined],
    ["POST", "/health/../settings", undefined],
    ["GET", "/no-such-route", "Bearer abc.def.ghi"],
    ["DELETE", "/recordings/1", "Basic dXNlcjpwYXNz"],
  ])("answers 401 E_UNAUTHORIZED to %s %s (auth %s)", async (method, path, authorization) => {
    const headers: Record<string, string> = authorization ? { authorization } : {};
    const res = await fetch(`${base}${path}`, { method, headers });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const body = (await res.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe("E_UNAUTHORIZED");
    expect(typeof body.error.message).toBe("string");
  });

  it("sends the security headers on every response, errors included", async () => {
    for (const path of ["/health", "/anything"]) {
      const res = await fetch(`${base}${path}`);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(res.headers.get("x-powered-by")).toBeNull();
    }
  });

  it("stops cleanly even with a keep-alive connection open, and can be stopped twice", async () => {
    await fetch(`${base}/health`, { headers: { connection: "keep-alive" } });
    await server.stop();
    await expect(fetch(`${base}/health`)).rejects.toThrow();
    await server.stop();
  });
});

describe("LAN server behind a verifier that accepts a token", () => {
  const owner: Principal = { userId: "u1", role: "owner" };
  let server: LanServer;
  let base: string;

  beforeEach(async () => {
    server = await startServer(async (token) => (token === "good" ? owner : null));
    base = `http://127.0.0.1:${server.port}`;
  });
  afterEach(async () => {
    await server.stop();
  });

  it("answers an unknown route with a 404 in the envelope", async () => {
    const res = await fetch(`${base}/no-such-route`, { headers: { authorization: "Bearer good" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      ok: false,
      error: { code: "E_NOT_FOUND", message: "no route for GET /no-such-route" },
    });
  });

  it("still rejects a wrong token", async () => {
    const res = await fetch(`${base}/no-such-route`, { headers: { authorization: "Bearer bad" } });
    expect(res.status).toBe(401);
  });
});

describe("LAN server error handler", () => {
  it("turns a thrown error into E_INTERNAL without the message or stack", async () => {
    const { Router } = await import("express");
    const routes = Router();
    routes.get("/boom", () => {
      throw new Error("secret internal detail at /var/lib/homecam");
    });
    const errors: unknown[] = [];
    const app = createLanApp({
      version: "1",
      uptimeS: () => 0,
      verifyToken: async () => ({ userId: "u", role: "viewer" }),
      log: { warn: () => {}, error: (obj: unknown) => errors.push(obj) },
      routes,
    });
    const server = new LanServer({ app, host: "127.0.0.1", port: 0, log });
    await server.start(new AbortController().signal);
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/boom`, {
        headers: { authorization: "Bearer x" },
      });
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({
        ok: false,
        error: { code: "E_INTERNAL", message: "internal error" },
      });
      expect(text).not.toContain("secret");
      expect(errors).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });

  it("fails to start, with the OS error, when the port is taken", async () => {
    const first = await startServer();
    const app = createLanApp({ version: "1", uptimeS: () => 0, verifyToken: rejectAllTokens, log });
    const second = new LanServer({ app, host: "127.0.0.1", port: first.port ?? 0, log });
    try {
      await expect(second.start(new AbortController().signal)).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.stop();
    }
  });
});
