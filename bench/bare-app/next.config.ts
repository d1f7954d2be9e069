import type { NextConfig } from "next";

// Its own (empty) config, so none of the app's (proxy, headers, instrumentation) applies.
const config: NextConfig = {};

export default config;
