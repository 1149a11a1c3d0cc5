// The Vue example: the package's <KommoButton> (kommo-oauth-button/vue), with render
// functions (no SFC compiler needed; a .vue template does the same). It renders on a server
// too (tests/api/ssr.test.mjs): the wasm loads only in the browser, in onMounted.
import { defineComponent, h, ref } from 'vue';
import { KommoButton } from 'kommo-oauth-button/vue';

export const App = defineComponent({
  setup() {
    const shown = ref(true);
    const error = ref('');
    return () => h('main', [
      h('h1', 'Vue'),
      shown.value ? h(KommoButton, { clientId: 'vue-client', class: 'kommo-host', onError: (e) => { error.value = e.error; } }) : null,
      h('p', { id: 'error' }, error.value),
      h('button', { id: 'toggle', type: 'button', onClick: () => { shown.value = !shown.value; } }, 'toggle'),
    ]);
  },
});
