// The part of autocannon 8's API that bench/browser-bench.ts uses (the package ships no types).
declare module "autocannon" {
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    headers?: Record<string, string>;
  }
  interface Result {
    "2xx": number;
    non2xx: number;
    errors: number;
    /** Seconds. */
    duration: number;
    latency: { p99: number; average: number; p50: number };
    requests: { average: number };
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
