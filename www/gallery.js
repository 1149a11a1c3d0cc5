// The gallery: the npm package's `mount()` used from code, bundled by webpack.
import init, { mount } from '../pkg/index.js';

const root = document.getElementById('gallery');
const base = { clientId: root.dataset.clientId, authOrigin: root.dataset.sandbox, mode: 'post_message' };

function section(title, note) {
  const s = document.createElement('section');
  const h = document.createElement('h2');
  h.textContent = title;
  const grid = document.createElement('div');
  grid.className = 'grid';
  s.append(h);
  if (note) {
    const p = document.createElement('p');
    p.textContent = note;
    s.append(p);
  }
  s.append(grid);
  root.append(s);
  return grid;
}

function cell(grid, label, options) {
  const c = document.createElement('div');
  c.className = 'cell';
  const small = document.createElement('small');
  small.textContent = label;
  c.append(small);
  grid.append(c);
  const handle = mount(c, { ...base, ...options });
  handle.element.addEventListener('kommo-oauth:error', (e) => { small.textContent = `${label} → ${e.detail.error}`; });
  return handle;
}

await init();
const themes = section('Kommo themes', 'data-theme: light (default) and dark; data-compact shows the logo only.');
for (const theme of ['light', 'dark']) {
  cell(themes, `theme=${theme}`, { theme });
  cell(themes, `theme=${theme} compact`, { theme, compact: true });
}
const locales = section('Kommo locales', 'data-locale translates the default title and the consent page.');
for (const locale of ['en', 'es', 'pt', 'id']) cell(locales, `locale=${locale}`, { locale });
const colours = section('amoCRM colours', 'data-color with the darker border shade; text colour chosen for contrast.');
for (const color of ['default', 'blue', 'violet', 'green', 'orange', 'red']) {
  cell(colours, `color=${color}`, { provider: 'amocrm', color });
  cell(colours, `color=${color} compact`, { provider: 'amocrm', color, compact: true });
}
const metadata = section('Metadata button', 'No client id: name, description, redirect/secrets URIs and scopes create an integration on the fly.');
cell(metadata, 'amoCRM metadata button', {
  provider: 'amocrm', clientId: undefined, name: 'Gallery integration', description: 'Created from the gallery',
  redirectUri: `${location.origin}/callback`, secretsUri: `${location.origin}/api/secrets`, scopes: ['crm', 'notifications'], color: 'violet',
});
