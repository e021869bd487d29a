// Prompts are text files bundled by esbuild's text loader (esbuild.mjs).
declare module '*.md' {
  const text: string;
  export default text;
}
