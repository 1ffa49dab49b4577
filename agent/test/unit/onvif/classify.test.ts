import { describe, expect, it } from "vitest";
import { classifyOnvifFailure } from "../../../src/onvif/classify.js";
import { catalogueCodeFor, OnvifError } from "../../../src/onvif/errors.js";

const sysErr = (code: string): Error => Object.assign(new Error(`connect ${code} 10.0.0.9:80`), { code });
const faultXml = (subcodes: string[], reason = "r"): string =>
  `<env:Envelope><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value>` +
  subcodes.map((s) => `<env:Subcode><env:Value>ter:${s}</env:Value>`).join("") +
  subcodes.map(() => "</env:Subcode>").join("") +
  `</env:Code><env:Reason><env:Text xml:lang="en">${reason}</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`;

describe("classifyOnvifFailure", () => {
  it.each([
    [sysErr("ECONNREFUSED"), undefined, "device", "HC_ERR_ONVIF_UNREACHABLE"],
    [sysErr("EHOSTUNREACH"), undefined, "device", "HC_ERR_ONVIF_UNREACHABLE"],
    [sysErr("ENOTFOUND"), undefined, "device", "HC_ERR_ONVIF_UNREACHABLE"],
    [sysErr("ETIMEDOUT"), undefined, "device", "HC_ERR_ONVIF_TIMEOUT"],
    [new Error("Network timeout"), undefined, "device", "HC_ERR_ONVIF_TIMEOUT"],
    [new Error("Digest authentication failed 401"), undefined, "device", "HC_ERR_ONVIF_AUTH"],
    [
      new Error("ONVIF SOAP Fault: Sender not authorized"),
      faultXml(["NotAuthorized"]),
      "device",
      "HC_ERR_ONVIF_AUTH",
    ],
    [
      new Error("Wrong ONVIF SOAP response"),
      "<html><h2>401 -- Unauthorized</h2></html>",
      "device",
      "HC_ERR_ONVIF_AUTH",
    ],
    [
      new Error("ONVIF SOAP Fault: x"),
      faultXml(["InvalidArgVal", "NoPTZProfile"]),
      "ptz",
      "HC_ERR_ONVIF_NO_PTZ",
    ],
    [new Error("ONVIF SOAP Fault: x"), faultXml(["ActionNotSupported"]), "ptz", "HC_ERR_ONVIF_NO_PTZ"],
    [new Error("ONVIF SOAP Fault: x"), faultXml(["ActionNotSupported"]), "media", "HC_ERR_ONVIF_FAULT"],
    [
      new Error("ONVIF SOAP Fault: x"),
      faultXml(["InvalidArgVal", "NoToken"]),
      "preset",
      "HC_ERR_ONVIF_NO_PRESET",
    ],
    [
      new Error("ONVIF SOAP Fault: x"),
      faultXml(["InvalidArgVal", "NoProfile"]),
      "media",
      "HC_ERR_ONVIF_NO_PROFILE",
    ],
    [new Error("ONVIF SOAP Fault: x"), "garbage", "media", "HC_ERR_ONVIF_FAULT"],
    [new Error("Wrong ONVIF SOAP response"), "<html>Not Found</html>", "device", "HC_ERR_ONVIF_PROTOCOL"],
    [new TypeError("Cannot read properties of undefined"), undefined, "device", "HC_ERR_ONVIF_PROTOCOL"],
  ] as const)("%s → %s", (err, xml, kind, code) => {
    const out = classifyOnvifFailure(err, xml, "Op", kind);
    expect(out).toBeInstanceOf(OnvifError);
    expect(out.code).toBe(code);
    expect(out.cause).toBe(err);
  });

  it("passes an OnvifError through and never echoes credentials from a URL", () => {
    const e = new OnvifError("HC_ERR_ONVIF_NO_PTZ", "x");
    expect(classifyOnvifFailure(e, undefined, "Op")).toBe(e);
    const out = classifyOnvifFailure(new Error("bad rtsp://admin:hunter2@cam/x"), undefined, "Op");
    expect(out.message).not.toContain("hunter2");
  });

  it("maps codes to the REST catalogue", () => {
    expect(catalogueCodeFor("HC_ERR_ONVIF_INVALID_ARGUMENT")).toBe("E_VALIDATION");
    expect(catalogueCodeFor("HC_ERR_ONVIF_NO_PTZ")).toBe("E_NOT_IMPLEMENTED");
    expect(catalogueCodeFor("HC_ERR_ONVIF_UNKNOWN_CAMERA")).toBe("E_NOT_FOUND");
    expect(catalogueCodeFor("HC_ERR_ONVIF_TIMEOUT")).toBe("E_TIMEOUT");
  });
});
