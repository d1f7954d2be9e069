import type { PGliteOptions } from "@electric-sql/pglite";

/** See pglite-codec.mjs. */
export declare const byteaCodec: Required<Pick<PGliteOptions, "parsers" | "serializers">>;
