import type { RequestHandler } from "express";
import { sendFail } from "./respond.js";

/** Last route: anything unmatched gets the error envelope instead of express's HTML page. */
export function notFound(): RequestHandler {
  return (req, res) => {
    sendFail(res, "E_NOT_FOUND", `no route for ${req.method} ${req.path}`);
  };
}
