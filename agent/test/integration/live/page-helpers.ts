import type { Page } from "playwright-core";

// Shared by the browser tests: polling a page, and the picture on screen drawn to a canvas with the
// variance of its luma (a blank or uniform frame is near 0; the synthetic scene gives hundreds).

/** JS source of `(video) => ({width, height, variance})`, to embed in a `page.evaluate` string. */
export const VIDEO_LUMA = `((video) => {
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(video, 0, 0);
  const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let sum = 0;
  let sq = 0;
  const n = px.length / 4;
  for (let i = 0; i < px.length; i += 4) {
    const y = 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
    sum += y;
    sq += y * y;
  }
  const mean = sum / n;
  return { width: video.videoWidth, height: video.videoHeight, variance: sq / n - mean * mean };
})`;

/**
 * Poll a boolean expression from Node: page.waitForFunction would compile it with eval in the
 * page, which the LAN app's CSP rightly forbids (evaluate goes through the DevTools protocol).
 */
export async function pollPage(page: Page, expression: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
