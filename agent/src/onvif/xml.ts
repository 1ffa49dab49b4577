/**
 * A small, strict-enough XML reader for SOAP answers and WS-Discovery datagrams.
 *
 * Why not the onvif package's parsed objects: its `linerase` turns every numeric-looking string
 * into a number (profile token "000" → 0, firmware "1.10" → 1.1) and single-element lists into
 * scalars, so tokens sent back to the camera would be wrong. We read the raw XML instead.
 *
 * Names are namespace-local (`tt:Name` → `Name`); `xmlns` declarations are dropped. No DTDs, no
 * custom entities (a SOAP message must not carry a DTD; one is rejected).
 */

/** One element: local name, attributes by local name, child elements and concatenated text. */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  readonly text: string;
}

/** Malformed XML. */
export class XmlSyntaxError extends Error {
  override readonly name = "XmlSyntaxError";
}

const MAX_DEPTH = 100;
const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Decode the five predefined entities and numeric character references. */
export function decodeEntities(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#x")) return safeCodePoint(Number.parseInt(ref.slice(2), 16), whole);
    if (ref.startsWith("#")) return safeCodePoint(Number.parseInt(ref.slice(1), 10), whole);
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

function safeCodePoint(cp: number, fallback: string): string {
  return Number.isInteger(cp) && cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : fallback;
}

/** Escape text for an XML element or attribute value. */
export function escapeXml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function localName(qname: string): string {
  const i = qname.indexOf(":");
  return i === -1 ? qname : qname.slice(i + 1);
}

interface Building {
  name: string;
  qname: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ATTR_RE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function parseAttrs(src: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of src.matchAll(ATTR_RE)) {
    const qname = m[1] ?? "";
    if (qname === "xmlns" || qname.startsWith("xmlns:")) continue;
    attrs[localName(qname)] = decodeEntities(m[2] ?? m[3] ?? "");
  }
  return attrs;
}

/** Parse a document and return its root element; throws {@link XmlSyntaxError}. */
export function parseXml(src: string): XmlElement {
  const stack: Building[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const close = (el: Building): void => {
    const done: XmlElement = { name: el.name, attrs: el.attrs, children: el.children, text: el.text };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(done);
    else if (root === undefined) root = done;
    else throw new XmlSyntaxError("more than one root element");
  };
  while (i < src.length) {
    const lt = src.indexOf("<", i);
    const textEnd = lt === -1 ? src.length : lt;
    if (textEnd > i) {
      const text = src.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(text);
      else if (text.trim() !== "") throw new XmlSyntaxError("text outside the root element");
    }
    if (lt === -1) break;
    if (src.startsWith("<?", lt)) {
      i = endOf(src, "?>", lt);
    } else if (src.startsWith("<!--", lt)) {
      i = endOf(src, "-->", lt);
    } else if (src.startsWith("<![CDATA[", lt)) {
      const end = endOf(src, "]]>", lt);
      const top = stack[stack.length - 1];
      if (!top) throw new XmlSyntaxError("CDATA outside the root element");
      top.text += src.slice(lt + 9, end - 3);
      i = end;
    } else if (src.startsWith("<!", lt)) {
      throw new XmlSyntaxError("DTDs are not accepted");
    } else if (src.startsWith("</", lt)) {
      const end = endOf(src, ">", lt);
      const qname = src.slice(lt + 2, end - 1).trim();
      const open = stack.pop();
      if (!open || open.qname !== qname) throw new XmlSyntaxError(`unexpected </${qname}>`);
      close(open);
      i = end;
    } else {
      const end = tagEnd(src, lt);
      let body = src.slice(lt + 1, end - 1);
      const selfClosing = body.endsWith("/");
      if (selfClosing) body = body.slice(0, -1);
      const nameMatch = /^[^\s/>]+/.exec(body);
      if (!nameMatch) throw new XmlSyntaxError(`bad tag at offset ${lt}`);
      const qname = nameMatch[0];
      const el: Building = {
        name: localName(qname),
        qname,
        attrs: parseAttrs(body.slice(qname.length)),
        children: [],
        text: "",
      };
      if (selfClosing) close(el);
      else {
        if (stack.length >= MAX_DEPTH) throw new XmlSyntaxError("nesting too deep");
        stack.push(el);
      }
      i = end;
    }
  }
  if (stack.length > 0) throw new XmlSyntaxError(`unclosed <${stack[stack.length - 1]?.qname}>`);
  if (!root) throw new XmlSyntaxError("no root element");
  return root;
}

function endOf(src: string, marker: string, from: number): number {
  const at = src.indexOf(marker, from);
  if (at === -1) throw new XmlSyntaxError(`unterminated construct at offset ${from}`);
  return at + marker.length;
}

/** End (exclusive) of a start tag, skipping `>` inside quoted attribute values. */
function tagEnd(src: string, from: number): number {
  let quote: string | undefined;
  for (let j = from + 1; j < src.length; j++) {
    const c = src[j];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ">") return j + 1;
  }
  throw new XmlSyntaxError(`unterminated tag at offset ${from}`);
}

/** The first direct child named `name`. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** Every direct child named `name`. */
export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** The first element named `name` below `el` (depth first), or `el` itself. */
export function find(el: XmlElement | undefined, name: string): XmlElement | undefined {
  if (!el) return undefined;
  if (el.name === name) return el;
  for (const c of el.children) {
    const hit = find(c, name);
    if (hit) return hit;
  }
  return undefined;
}

/** Every element named `name` below `el` (depth first, not inside a match). */
export function findAll(el: XmlElement | undefined, name: string, out: XmlElement[] = []): XmlElement[] {
  if (!el) return out;
  for (const c of el.children) {
    if (c.name === name) out.push(c);
    else findAll(c, name, out);
  }
  return out;
}

/** Trimmed text of the element at `path` (child names) under `el`, if present and non-empty. */
export function textAt(el: XmlElement | undefined, ...path: string[]): string | undefined {
  let cur = el;
  for (const p of path) cur = child(cur, p);
  const t = cur?.text.trim();
  return t === undefined || t === "" ? undefined : t;
}
