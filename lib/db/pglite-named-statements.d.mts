import type { PGlite } from "@electric-sql/pglite";

/** See pglite-named-statements.mjs. */
export declare function pgliteNamedQuery<Row>(client: PGlite, text: string, params: unknown[]): Promise<Row[]>;
