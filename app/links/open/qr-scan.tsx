"use client";

import { useEffect, useRef, useState } from "react";
import { StatusLines } from "@/app/_components/status-lines";
import { scanImageFile, startCameraScan, type CameraScan } from "@/client/links/open-qr";

/** Names of the errors getUserMedia and image decoding reject with, worded for the person. */
function cameraProblem(error: unknown): string {
  if (error instanceof DOMException && error.name === "NotAllowedError")
    return "The camera was not allowed. Allow it in the browser, or choose a photo instead.";
  if (error instanceof DOMException && (error.name === "NotFoundError" || error.name === "OverconstrainedError"))
    return "No camera was found. Choose a photo instead.";
  if (error instanceof DOMException || error instanceof TypeError) return "The camera could not be started. Choose a photo instead.";
  throw error;
}

/** A QR code from the camera (frames read with jsQR until one holds a code; the camera stops then) or from a photo file. */
export function QrScan({ onText }: { onText: (text: string) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const scan = useRef<CameraScan | null>(null);
  const [scanning, setScanning] = useState(false);
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();

  // The camera is never left on when the page goes away.
  useEffect(() => () => scan.current?.stop(), []);

  async function startCamera() {
    if (!video.current) return;
    setError(undefined);
    setScanning(true);
    setStatus("Point the camera at the QR code…");
    try {
      scan.current = await startCameraScan(video.current, (text) => {
        scan.current = null;
        setScanning(false);
        setStatus("QR code read.");
        onText(text);
      });
    } catch (caught) {
      setScanning(false);
      setStatus(undefined);
      setError(cameraProblem(caught));
    }
  }

  function stopCamera() {
    scan.current?.stop();
    scan.current = null;
    setScanning(false);
    setStatus(undefined);
  }

  async function choosePhoto(file: File | undefined) {
    if (!file) return;
    setError(undefined);
    setStatus("Reading the photo…");
    try {
      const text = await scanImageFile(file);
      if (text === null) {
        setStatus(undefined);
        setError("No QR code was found in this photo. Try a sharper photo with the whole code in view.");
        return;
      }
      setStatus("QR code read.");
      onText(text);
    } catch (caught) {
      setStatus(undefined);
      if (!(caught instanceof DOMException || caught instanceof TypeError)) throw caught;
      setError("This file is not an image the browser can read.");
    }
  }

  return (
    <div className="qr-scan">
      <div className="actions">
        {scanning ? (
          <button type="button" className="button button-secondary" onClick={stopCamera}>
            Stop the camera
          </button>
        ) : (
          <button type="button" className="button button-secondary" onClick={startCamera}>
            Scan a QR code with the camera
          </button>
        )}
      </div>
      <video ref={video} hidden={!scanning} width={320} height={240} aria-label="Camera view for scanning the QR code" muted playsInline />
      <label htmlFor="link-photo">Or choose a photo of the QR code</label>
      <input id="link-photo" type="file" accept="image/*" onChange={(event) => void choosePhoto(event.target.files?.[0])} />
      <StatusLines message={status} error={error} className="progress-text" />
    </div>
  );
}
