/** The width in a JPEG's start-of-frame header (SOF0…SOF15 except DHT, JPG and DAC markers). */
export function jpegWidth(jpeg: Buffer): number {
  let i = 2;
  while (i + 9 < jpeg.length) {
    if (jpeg[i] !== 0xff) throw new Error(`not a JPEG marker at ${i}`);
    const marker = jpeg[i + 1] ?? 0;
    const length = jpeg.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return jpeg.readUInt16BE(i + 7);
    }
    i += 2 + length;
  }
  throw new Error("no start-of-frame marker");
}
