import { type Agent, request } from "node:http";

/** A request exactly as the fuzzer built it: any method, raw path and query, any body bytes. */
export interface RawRequest {
  method: string;
  /** Path and query, already encoded (or deliberately mis-encoded). */
  target: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
}

export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
}

/**
 * node:http rather than fetch: fetch refuses bodies on GET/DELETE-like requests and normalises
 * what a hostile client would not.
 */
export function rawRequest(base: URL, req: RawRequest, agent: Agent): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    if (req.body) headers["content-length"] = String(req.body.length);
    const r = request(
      { host: base.hostname, port: base.port, method: req.method, path: req.target, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers["content-type"] ?? ""),
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    r.on("error", reject);
    r.end(req.body);
  });
}
