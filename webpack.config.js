// Bundles the gallery (www/gallery.js), which uses the npm package in pkg/ as an app would.
// wasm-pack's `--target web` output loads its .wasm with `new URL(…, import.meta.url)`,
// which webpack 5 emits as an asset next to the bundle.
export default {
  mode: 'production',
  entry: './www/gallery.js',
  output: {
    path: new URL('./www/dist', import.meta.url).pathname,
    filename: 'gallery.js',
    publicPath: '/www/dist/',
    clean: true,
  },
  experiments: { topLevelAwait: true },
  performance: { hints: false },
};
