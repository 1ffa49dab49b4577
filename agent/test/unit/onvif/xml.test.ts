import { describe, expect, it } from "vitest";
import {
  child,
  decodeEntities,
  escapeXml,
  find,
  findAll,
  parseXml,
  textAt,
  XmlSyntaxError,
} from "../../../src/onvif/xml.js";

describe("parseXml", () => {
  it("strips namespace prefixes and xmlns declarations, keeps attributes by local name", () => {
    const root = parseXml(
      `<?xml version="1.0"?><!-- c --><s:Envelope xmlns:s="urn:s" xmlns:tt="urn:tt"><s:Body>` +
        `<tt:Profiles token="000" xml:lang='en'><tt:Name>main</tt:Name><tt:Empty/></tt:Profiles></s:Body></s:Envelope>`,
    );
    expect(root.name).toBe("Envelope");
    expect(root.attrs).toEqual({});
    const p = find(root, "Profiles");
    expect(p?.attrs).toEqual({ token: "000", lang: "en" });
    expect(textAt(p, "Name")).toBe("main");
    expect(child(p, "Empty")?.children).toEqual([]);
    expect(textAt(p, "Empty")).toBeUndefined();
  });

  it("decodes entities, numeric references and CDATA", () => {
    const root = parseXml(
      `<a x="1 &amp; 2 &quot;q&quot;">&lt;b&gt; &#65;&#x42; <![CDATA[<raw & text>]]></a>`,
    );
    expect(root.attrs["x"]).toBe('1 & 2 "q"');
    expect(root.text).toBe("<b> AB <raw & text>");
  });

  it("accepts > inside quoted attribute values", () => {
    expect(parseXml(`<a v="x>y"><b/></a>`).attrs["v"]).toBe("x>y");
  });

  it("finds every match at any depth", () => {
    const root = parseXml(`<r><x><p t="1"/></x><p t="2"><p t="inner"/></p></r>`);
    expect(findAll(root, "p").map((p) => p.attrs["t"])).toEqual(["1", "2"]);
  });

  it.each([
    ["<a><b></a>", "mismatched end tag"],
    ["<a>", "unclosed element"],
    ["", "empty document"],
    ["<a/><b/>", "two roots"],
    ['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', "DTD"],
    ["<a><!-- never closed </a>", "unterminated comment"],
    ["text<a/>", "text outside the root"],
  ])("rejects %s (%s)", (src) => {
    expect(() => parseXml(src)).toThrow(XmlSyntaxError);
  });

  it("escapeXml and decodeEntities round-trip", () => {
    const s = `a<b>&"c'`;
    expect(decodeEntities(escapeXml(s))).toBe(s);
    expect(decodeEntities("&unknown; &#x110000;")).toBe("&unknown; &#x110000;");
  });
});
