import { describe, expect, it } from "vitest";
import {
  normaliseEncoding,
  parseDeviceInformation,
  parseMediaUri,
  parsePresets,
  parseProfiles,
  parseSetPresetToken,
  parseSoapFault,
} from "../../../src/onvif/soap-parse.js";

const env = (body: string): string =>
  `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Header/><env:Body>${body}</env:Body></env:Envelope>`;

describe("SOAP answer parsing", () => {
  it("keeps device information exactly as sent (no number guessing)", () => {
    const xml = env(
      `<tds:GetDeviceInformationResponse><tds:Manufacturer>Acme</tds:Manufacturer><tds:Model>X1</tds:Model>` +
        `<tds:FirmwareVersion>1.10</tds:FirmwareVersion><tds:SerialNumber>000123</tds:SerialNumber>` +
        `</tds:GetDeviceInformationResponse>`,
    );
    expect(parseDeviceInformation(xml)).toEqual({
      manufacturer: "Acme",
      model: "X1",
      firmwareVersion: "1.10",
      serialNumber: "000123",
      hardwareId: "",
    });
  });

  it("reads Media1 profiles with tokens kept as strings", () => {
    const xml = env(
      `<trt:GetProfilesResponse>` +
        `<trt:Profiles token="000" fixed="true"><tt:Name>main</tt:Name>` +
        `<tt:VideoSourceConfiguration token="v"><tt:SourceToken>VS1</tt:SourceToken></tt:VideoSourceConfiguration>` +
        `<tt:VideoEncoderConfiguration token="e"><tt:Encoding>H264</tt:Encoding>` +
        `<tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution>` +
        `<tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl>` +
        `</tt:VideoEncoderConfiguration><tt:PTZConfiguration token="p"/></trt:Profiles>` +
        `<trt:Profiles token="audio-only"><tt:Name>a</tt:Name></trt:Profiles>` +
        `<trt:Profiles><tt:Name>no token: skipped</tt:Name></trt:Profiles>` +
        `</trt:GetProfilesResponse>`,
    );
    expect(parseProfiles(xml)).toEqual([
      {
        token: "000",
        name: "main",
        encoding: "H264",
        width: 1920,
        height: 1080,
        fps: 25,
        bitrateKbps: 4096,
        videoSourceToken: "VS1",
        ptz: true,
      },
      { token: "audio-only", name: "a", ptz: false },
    ]);
  });

  it("reads Media2 profiles (Configurations wrapper)", () => {
    const xml = env(
      `<tr2:GetProfilesResponse><tr2:Profiles token="P2"><tr2:Name>n</tr2:Name><tr2:Configurations>` +
        `<tr2:VideoSource token="v"><tt:SourceToken>VS</tt:SourceToken></tr2:VideoSource>` +
        `<tr2:VideoEncoder token="e"><tt:Encoding>H265</tt:Encoding><tt:Resolution><tt:Width>2560</tt:Width>` +
        `<tt:Height>1440</tt:Height></tt:Resolution></tr2:VideoEncoder></tr2:Configurations></tr2:Profiles>` +
        `</tr2:GetProfilesResponse>`,
    );
    expect(parseProfiles(xml)).toEqual([
      {
        token: "P2",
        name: "n",
        encoding: "H265",
        width: 2560,
        height: 1440,
        videoSourceToken: "VS",
        ptz: false,
      },
    ]);
  });

  it("normalises codec names", () => {
    expect(["H.264", "h264", "H-265", " jpeg "].map(normaliseEncoding)).toEqual([
      "H264",
      "H264",
      "H265",
      "JPEG",
    ]);
    expect(normaliseEncoding("  ")).toBeUndefined();
  });

  it("reads Media1 and Media2 URIs, decoding entities", () => {
    const m1 = env(
      `<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>http://c/snap?a=1&amp;b=2</tt:Uri></trt:MediaUri></trt:GetSnapshotUriResponse>`,
    );
    expect(parseMediaUri(m1, "GetSnapshotUri")).toBe("http://c/snap?a=1&b=2");
    const m2 = env(`<tr2:GetStreamUriResponse><tr2:Uri>rtsp://c/s</tr2:Uri></tr2:GetStreamUriResponse>`);
    expect(parseMediaUri(m2, "GetStreamUri")).toBe("rtsp://c/s");
    expect(() => parseMediaUri(env("<x/>"), "GetStreamUri")).toThrow(
      expect.objectContaining({ code: "HC_ERR_ONVIF_PROTOCOL" }),
    );
    expect(() => parseMediaUri("not xml <", "GetStreamUri")).toThrow(
      expect.objectContaining({ code: "HC_ERR_ONVIF_PROTOCOL" }),
    );
  });

  it("reads presets and SetPreset's token", () => {
    const xml = env(
      `<tptz:GetPresetsResponse><tptz:Preset token="01"><tt:Name>01</tt:Name></tptz:Preset>` +
        `<tptz:Preset token="2"/></tptz:GetPresetsResponse>`,
    );
    expect(parsePresets(xml)).toEqual([
      { token: "01", name: "01" },
      { token: "2", name: "2" },
    ]);
    expect(
      parseSetPresetToken(
        env(`<tptz:SetPresetResponse><tptz:PresetToken>7</tptz:PresetToken></tptz:SetPresetResponse>`),
      ),
    ).toBe("7");
  });

  it("reads SOAP 1.2 fault codes with nested subcodes, and SOAP 1.1 faults", () => {
    const f12 = env(
      `<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>ter:InvalidArgVal</env:Value>` +
        `<env:Subcode><env:Value>ter:NoProfile</env:Value></env:Subcode></env:Subcode></env:Code>` +
        `<env:Reason><env:Text xml:lang="en">no such profile</env:Text></env:Reason></env:Fault>`,
    );
    expect(parseSoapFault(f12)).toEqual({
      codes: ["Sender", "InvalidArgVal", "NoProfile"],
      reason: "no such profile",
    });
    const f11 = `<s:Envelope><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>bad</faultstring></s:Fault></s:Body></s:Envelope>`;
    expect(parseSoapFault(f11)).toEqual({ codes: ["Client"], reason: "bad" });
    expect(parseSoapFault(env("<ok/>"))).toBeUndefined();
    expect(parseSoapFault("<html>")).toBeUndefined();
    expect(parseSoapFault(undefined)).toBeUndefined();
  });
});
