// Vite (under Vitest) imports a file's text with the `?raw` suffix; the crypto tests read
// fixture files this way because crypto/ may not use node:fs (it runs the same in browsers).
declare module "*?raw" {
  const text: string;
  export default text;
}
