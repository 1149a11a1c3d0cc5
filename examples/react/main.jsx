import { StrictMode, useCallback, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { KommoButton } from './KommoButton.jsx';

function App() {
  const [shown, setShown] = useState(true);
  const [error, setError] = useState('');
  const onError = useCallback((e) => setError(e.error), []);
  return (
    <main>
      <h1>React</h1>
      {shown && <KommoButton clientId="react-client" onError={onError} />}
      <p id="error">{error}</p>
      <button id="toggle" type="button" onClick={() => setShown((s) => !s)}>toggle</button>
    </main>
  );
}

createRoot(document.getElementById('root')).render(<StrictMode><App /></StrictMode>);
