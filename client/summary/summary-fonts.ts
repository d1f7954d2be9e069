import type { SummaryFonts } from "./summary-pdf";

/** The font could not be fetched from this app's own origin (offline, or the file is missing). */
export class SummaryFontError extends Error {
  override readonly name = "SummaryFontError";
}

async function fetchFont(url: URL): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (caught) {
    // fetch rejects with a TypeError only when the request could not be made (offline): said as such.
    if (!(caught instanceof TypeError)) throw caught;
    throw new SummaryFontError("The PDF font could not be loaded: Health Safe Cloud could not be reached.");
  }
  if (!response.ok) throw new SummaryFontError(`The PDF font could not be loaded (${response.status}).`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * DejaVu Sans and DejaVu Sans Bold (the dejavu-fonts-ttf package; free licence, Latin with
 * every accent, Greek, Cyrillic), which the build copies beside the app's own scripts: fetched
 * from this origin, never from the internet. Browser only.
 * @throws SummaryFontError when a font does not load (offline, or not served)
 */
export async function loadSummaryFonts(): Promise<SummaryFonts> {
  const [regular, bold] = await Promise.all([
    fetchFont(new URL("dejavu-fonts-ttf/ttf/DejaVuSans.ttf", import.meta.url)),
    fetchFont(new URL("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf", import.meta.url)),
  ]);
  return { regular, bold };
}
