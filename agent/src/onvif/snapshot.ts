import http from "node:http";
import https from "node:https";
import { maskSecretsInText } from "@homecam/shared";
import { OnvifError } from "./errors.js";
import { authorizationHeader, parseAuthChallenges, pickChallenge } from "./http-auth.js";

/** Options of {@link fetchJpeg}. */
export interface FetchJpegOptions {
  username?: string | undefined;
  password?: string | undefined;
  /** Each HTTP exchange, headers and body; default 10 s. */
  timeoutMs?: number;
  /** Larger bodies are refused; default 16 MiB. */
  maxBytes?: number;
  /** Accept a self-signed certificate on an `https:` snapshot URI (common on cameras); default false. */
  insecureTls?: boolean;
}

/** True when `buf` looks like a complete JPEG: SOI marker at the start, EOI near the end. */
export function isJpeg(buf: Uint8Array): boolean {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8 || buf[2] !== 0xff) return false;
  // Some cameras pad after EOI (FF D9); look at the last 64 bytes.
  for (let i = buf.length - 2; i >= Math.max(2, buf.length - 64); i--) {
    if (buf[i] === 0xff && buf[i + 1] === 0xd9) return true;
  }
  return false;
}

interface RawResponse {
  status: number;
  challenges: string[];
  body: Buffer;
}

function request(
  url: URL,
  headers: Record<string, string>,
  opts: Required<FetchJpegOptions>,
): Promise<RawResponse> {
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: "GET",
        headers: { Accept: "image/jpeg", ...headers },
        ...(url.protocol === "https:" && opts.insecureTls ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        const challenges: string[] = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          if (res.rawHeaders[i]?.toLowerCase() === "www-authenticate")
            challenges.push(res.rawHeaders[i + 1] ?? "");
        }
        const status = res.statusCode ?? 0;
        const declared = Number(res.headers["content-length"] ?? "0");
        if (declared > opts.maxBytes) {
          res.destroy();
          reject(new OnvifError("HC_ERR_ONVIF_SNAPSHOT", `snapshot larger than ${opts.maxBytes} bytes`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > opts.maxBytes) {
            res.destroy();
            reject(new OnvifError("HC_ERR_ONVIF_SNAPSHOT", `snapshot larger than ${opts.maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on("end", () => resolve({ status, challenges, body: Buffer.concat(chunks) }));
        res.on("error", (err) =>
          reject(new OnvifError("HC_ERR_ONVIF_SNAPSHOT", "snapshot: body cut", { cause: err })),
        );
      },
    );
    const timer = setTimeout(() => {
      reject(new OnvifError("HC_ERR_ONVIF_TIMEOUT", "snapshot: the camera did not answer in time"));
      req.destroy();
    }, opts.timeoutMs);
    req.on("close", () => clearTimeout(timer));
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (err instanceof OnvifError) reject(err);
      else
        reject(
          new OnvifError("HC_ERR_ONVIF_UNREACHABLE", `snapshot: ${err.code ?? err.message}`, { cause: err }),
        );
    });
    req.end();
  });
}

/**
 * GET a JPEG from a camera: first without credentials, then once more answering the camera's
 * `WWW-Authenticate` challenge (Digest preferred, Basic accepted). Credentials embedded in the URI
 * are used when none are given. The result is checked to be a JPEG.
 */
export async function fetchJpeg(uri: string, options: FetchJpegOptions = {}): Promise<Buffer> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch (err) {
    throw new OnvifError("HC_ERR_ONVIF_PROTOCOL", "snapshot: the camera gave an invalid URI", { cause: err });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new OnvifError("HC_ERR_ONVIF_PROTOCOL", `snapshot: unsupported URI scheme ${url.protocol}`);
  }
  const username = options.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = options.password ?? (url.password ? decodeURIComponent(url.password) : "");
  url.username = "";
  url.password = "";
  const opts: Required<FetchJpegOptions> = {
    username: username ?? "",
    password,
    timeoutMs: options.timeoutMs ?? 10_000,
    maxBytes: options.maxBytes ?? 16 * 1024 * 1024,
    insecureTls: options.insecureTls ?? false,
  };
  const where = maskSecretsInText(url.href);
  let res = await request(url, {}, opts);
  if (res.status === 401) {
    const challenge = pickChallenge(parseAuthChallenges(res.challenges));
    if (username === undefined || !challenge) {
      throw new OnvifError("HC_ERR_ONVIF_AUTH", `snapshot ${where}: the camera requires credentials`);
    }
    const header = authorizationHeader({
      challenge,
      method: "GET",
      uri: `${url.pathname}${url.search}`,
      username,
      password,
    });
    res = await request(url, { Authorization: header }, opts);
    if (res.status === 401) {
      throw new OnvifError("HC_ERR_ONVIF_AUTH", `snapshot ${where}: the camera refused the credentials`);
    }
  }
  if (res.status < 200 || res.status > 299) {
    throw new OnvifError("HC_ERR_ONVIF_SNAPSHOT", `snapshot ${where}: HTTP ${res.status}`);
  }
  if (!isJpeg(res.body)) {
    throw new OnvifError("HC_ERR_ONVIF_SNAPSHOT", `snapshot ${where}: the answer is not a JPEG`);
  }
  return res.body;
}
