// kommo-oauth-button/vue: <KommoButton> for Vue 3.3+.
//
// The wasm loads once, when the first component mounts in the browser (onMounted never runs
// during server-side rendering). Props are the package's ButtonOptions; a change of any of
// them re-mounts the button. Results are emitted as `success` and `error` events.
import { defineComponent, h, onBeforeUnmount, onMounted, ref, watch } from 'vue';
import { mount } from '../index.js';
import { OPTION_NAMES, load, loadFailure } from '../components.js';

export { OPTION_NAMES };

export const KommoButton = defineComponent({
  name: 'KommoButton',
  // No casting: an absent prop is absent (Vue would turn an absent Boolean prop into false).
  props: Object.fromEntries(OPTION_NAMES.map((name) => [name, { type: null, default: undefined }])),
  emits: ['success', 'error'],
  setup(props, { emit }) {
    const host = ref(null);
    let handle = null;
    let alive = true;
    let generation = 0;
    const options = () => Object.fromEntries(OPTION_NAMES.filter((n) => props[n] !== undefined).map((n) => [n, props[n]]));
    const remount = async () => {
      const mine = ++generation;
      try {
        await load();
      } catch (e) {
        emit('error', loadFailure(e));
        return;
      }
      // A later change (or the unmount) took over while the wasm loaded.
      if (mine !== generation) return;
      handle?.destroy();
      handle = null;
      if (!alive || !host.value) return;
      try {
        handle = mount(host.value, { ...options(), onSuccess: (r) => emit('success', r), onError: (e) => emit('error', e) });
      } catch (e) {
        // Unusable options: mount() threw an error naming them. Said once, here.
        console.error(e);
      }
    };
    onMounted(remount);
    watch(() => JSON.stringify(options()), () => { if (alive) remount(); });
    onBeforeUnmount(() => {
      alive = false;
      handle?.destroy();
      handle = null;
    });
    return () => h('div', { ref: host });
  },
});

export default KommoButton;
