// Built by `npm test` (tests/browser/examples.test.mjs) into target/examples/react, served
// under /react/ to check a sub-path deployment. In an app of your own, drop the alias:
// `kommo-oauth-button` resolves from node_modules.
import { fileURLToPath } from 'node:url';

export default {
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/react/',
  logLevel: 'warn',
  resolve: { alias: { 'kommo-oauth-button': fileURLToPath(new URL('../../pkg', import.meta.url)) } },
  build: { outDir: fileURLToPath(new URL('../../target/examples/react', import.meta.url)), emptyOutDir: true },
};
