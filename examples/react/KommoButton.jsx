// The README's React component: mount in an effect, destroy in its cleanup.
import { useEffect, useRef } from 'react';
import init, { mount } from 'kommo-oauth-button';

const ready = init();

export function KommoButton({ clientId, onError }) {
  const host = useRef(null);
  useEffect(() => {
    let handle;
    let cancelled = false;
    ready.then(() => {
      if (!cancelled && host.current) handle = mount(host.current, { clientId, onError });
    });
    return () => {
      cancelled = true;
      handle?.destroy();
    };
  }, [clientId, onError]);
  return <div ref={host} className="kommo-host" />;
}
