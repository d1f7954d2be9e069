import type { CardContent } from "@/client/emergency-card/card-pdf";
import { downloadBlob } from "@/client/records/download";

/** Makes the card's PDF in this browser (pdf-lib loads only now) and downloads it. @throws what buildCardPdf throws; BrowserStorageError as downloadBlob */
export async function downloadCard(content: CardContent, linkText: string, passcode: string | null): Promise<void> {
  const { buildCardPdf } = await import("@/client/emergency-card/card-pdf");
  const bytes = await buildCardPdf(content, linkText, passcode);
  await downloadBlob("emergency-card.pdf", new Blob([bytes.slice()], { type: "application/pdf" }));
}
