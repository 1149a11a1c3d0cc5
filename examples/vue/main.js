// Vue 3: mount in onMounted, destroy in onBeforeUnmount (render functions, so no SFC
// compiler is needed; a .vue file does the same with a template ref).
import { createApp, defineComponent, h, onBeforeUnmount, onMounted, ref } from 'vue';
import init, { mount } from 'kommo-oauth-button';

const ready = init();

const KommoButton = defineComponent({
  props: { clientId: { type: String, required: true } },
  emits: ['error'],
  setup(props, { emit }) {
    const host = ref(null);
    let handle;
    let unmounted = false;
    onMounted(async () => {
      await ready;
      if (!unmounted) handle = mount(host.value, { clientId: props.clientId, onError: (e) => emit('error', e.error) });
    });
    onBeforeUnmount(() => {
      unmounted = true;
      handle?.destroy();
    });
    return () => h('div', { ref: host, class: 'kommo-host' });
  },
});

createApp(defineComponent({
  setup() {
    const shown = ref(true);
    const error = ref('');
    return () => h('main', [
      h('h1', 'Vue'),
      shown.value ? h(KommoButton, { clientId: 'vue-client', onError: (e) => { error.value = e; } }) : null,
      h('p', { id: 'error' }, error.value),
      h('button', { id: 'toggle', type: 'button', onClick: () => { shown.value = !shown.value; } }, 'toggle'),
    ]);
  },
})).mount('#app');
