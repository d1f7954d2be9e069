import jsQR from "jsqr";

/** Larger images are scaled down to this many pixels on their long side before decoding: a phone photo is 4000 px or more, and jsQR's cost grows with the area. */
export const maxScanSide = 1600;

/**
 * The text of a QR code in RGBA pixels (ImageData's layout), or null when none is found.
 * Tries dark-on-light first, then inverted.
 */
export function qrTextOf(pixels: Uint8ClampedArray, width: number, height: number): string | null {
  return jsQR(pixels, width, height, { inversionAttempts: "attemptBoth" })?.data ?? null;
}

/** The size to draw a `width` × `height` image at: at most `maxScanSide` on the long side, never enlarged. */
export function scanSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, maxScanSide / Math.max(width, height, 1));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Draws an image or video frame on a canvas at scan size and returns the QR text in it, or null. */
function scanDrawable(source: CanvasImageSource, width: number, height: number, canvas: HTMLCanvasElement): string | null {
  const size = scanSize(width, height);
  canvas.width = size.width;
  canvas.height = size.height;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  if (!context) return null;
  context.drawImage(source, 0, 0, size.width, size.height);
  const image = context.getImageData(0, 0, size.width, size.height);
  return qrTextOf(image.data, image.width, image.height);
}

/**
 * The QR text in a photo or image file the person chose, read in this browser.
 * @returns null when the image holds no readable QR code
 * @throws ImageDecodeError-like DOMException/TypeError when the file is not an image the browser can decode (callers word it)
 */
export async function scanImageFile(file: Blob): Promise<string | null> {
  const bitmap = await createImageBitmap(file);
  try {
    return scanDrawable(bitmap, bitmap.width, bitmap.height, document.createElement("canvas"));
  } finally {
    bitmap.close();
  }
}

/** A running camera scan; `stop()` ends it and turns the camera off. */
export interface CameraScan {
  stop(): void;
}

/**
 * Shows the camera (rear-facing where there is one) in `video` and reads frames until one
 * holds a QR code, then stops the camera and calls `onText` once. The camera is off after
 * `onText`, after `stop()`, and if starting fails.
 * @throws whatever getUserMedia throws (NotAllowedError when the person refuses, NotFoundError with no camera)
 */
export async function startCameraScan(video: HTMLVideoElement, onText: (text: string) => void): Promise<CameraScan> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  const canvas = document.createElement("canvas");
  let stopped = false;
  let frame = 0;
  const stop = () => {
    stopped = true;
    cancelAnimationFrame(frame);
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  video.srcObject = stream;
  video.muted = true;
  video.playsInline = true;
  try {
    await video.play();
  } catch (error) {
    stop();
    throw error;
  }
  const tick = () => {
    if (stopped) return;
    if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth > 0) {
      const text = scanDrawable(video, video.videoWidth, video.videoHeight, canvas);
      if (text !== null) {
        stop();
        onText(text);
        return;
      }
    }
    frame = requestAnimationFrame(tick);
  };
  frame = requestAnimationFrame(tick);
  return { stop };
}
