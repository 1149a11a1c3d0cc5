// Built by `npm test` (tests/browser/examples.test.mjs) into target/examples/vue, served
// under /vue/. In an app of your own, drop the alias.
import { fileURLToPath } from 'node:url';

export default {
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/vue/',
  logLevel: 'warn',
  resolve: { alias: { 'kommo-oauth-button': fileURLToPath(new URL('../../pkg', import.meta.url)) } },
  build: { outDir: fileURLToPath(new URL('../../target/examples/vue', import.meta.url)), emptyOutDir: true },
};
