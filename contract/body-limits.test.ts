import { describe, expect, it } from "vitest";
import nextConfig from "@/next.config";
import { PHASE_PRODUCTION_SERVER } from "next/constants";
import { chunkOverhead, uploadChunkSizes } from "@/lib/blobs/blob-service";
import { bodyLimits, describeLimit, largestBodyLimit, proxyBodyBufferBytes } from "./body-limits";

describe("body limits", () => {
  it("make Next buffer more than any route reads, by more than one network read, so no body is cut short within a route's limit", () => {
    expect(largestBodyLimit).toBe(bodyLimits.recordsBatch);
    expect(proxyBodyBufferBytes - largestBodyLimit).toBeGreaterThan(64 * 1024);
    expect(nextConfig(PHASE_PRODUCTION_SERVER).experimental?.proxyClientMaxBodySize).toBe(proxyBodyBufferBytes);
  });

  it("let the largest encrypted file chunk through exactly", () => {
    expect(bodyLimits.fileChunk).toBe(Math.max(...uploadChunkSizes) + chunkOverhead);
  });

  it("read as people say them", () => {
    expect(describeLimit(bodyLimits.recordsBatch)).toBe("24 MiB");
    expect(describeLimit(bodyLimits.standard)).toBe("64 KiB");
    expect(describeLimit(bodyLimits.fileChunk)).toBe("8 MiB and 17 bytes");
  });
});
