import { encode } from "uqr";

/** A QR code drawn as SVG elements: no canvas, no inline markup, nothing for the CSP to allow. */
export function QrCode({ text, label, size = 220 }: { text: string; label: string; size?: number }) {
  const { data } = encode(text, { ecc: "M", border: 2 });
  const cells = data.length;
  const path = data.flatMap((row, y) => row.map((dark, x) => (dark ? `M${x} ${y}h1v1h-1z` : ""))).join("");
  return (
    <svg role="img" aria-label={label} viewBox={`0 0 ${cells} ${cells}`} width={size} height={size} shapeRendering="crispEdges" className="qr-code">
      <rect width={cells} height={cells} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
