import { ApiError } from "@homecam/shared";

/**
 * Turn a client error raised inside express's own machinery into a catalogue error. body-parser
 * and raw-body tag theirs with a `type`; other http-errors carry a 4xx `status` and `expose: true`;
 * the router's undecodable path parameter is a URIError with status 400. Returns undefined for
 * anything else, which the error handler treats as a server fault.
 */
export function apiErrorFromExpress(err: unknown): ApiError | undefined {
  if (err === null || typeof err !== "object") return undefined;
  const type = "type" in err ? err.type : undefined;
  switch (type) {
    case "entity.too.large":
      return new ApiError("E_PAYLOAD_TOO_LARGE", "request body too large", undefined, { cause: err });
    case "entity.parse.failed":
      return new ApiError("E_BAD_REQUEST", "request body is not valid JSON", undefined, { cause: err });
    case "encoding.unsupported":
    case "charset.unsupported":
      return new ApiError("E_UNSUPPORTED_MEDIA_TYPE", "unsupported body encoding or charset", undefined, {
        cause: err,
      });
    case "request.aborted":
    case "request.size.invalid":
      return new ApiError("E_BAD_REQUEST", "request body incomplete", undefined, { cause: err });
  }
  const status = "status" in err ? err.status : undefined;
  // Express 5's router reports a path parameter it cannot percent-decode (`/api/tickets/%`) as a
  // bare URIError with status 400 — no http-errors `expose` flag (found by the route fuzzer).
  if (err instanceof URIError && status === 400) {
    return new ApiError("E_BAD_REQUEST", "malformed percent-encoding in the path", undefined, { cause: err });
  }
  const expose = "expose" in err ? err.expose : undefined;
  if (typeof status === "number" && status >= 400 && status < 500 && expose === true) {
    return new ApiError("E_BAD_REQUEST", "malformed request", undefined, { cause: err });
  }
  return undefined;
}
