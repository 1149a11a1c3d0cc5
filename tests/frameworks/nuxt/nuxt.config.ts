export default defineNuxtConfig({
  telemetry: false,
  devtools: { enabled: false },
  app: { head: { link: [{ rel: 'icon', href: 'data:,' }] } },
});
