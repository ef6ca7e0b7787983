import { useState } from 'react';
import { apiKey, setApiKey } from './client';

/** Where a user gives the API key that a meterql outside the local demo requires. */
export function ApiKey() {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState('');
  const current = apiKey();
  const save = (key: string | null) => {
    setApiKey(key);
    location.reload();
  };
  return (
    <span className="api-key">
      <button type="button" className="link" onClick={() => setOpen(!open)} aria-expanded={open}>
        {current ? `API key ${current.slice(0, 16)}…` : 'API key'}
      </button>
      {open && (
        <form
          className="api-key-popup card"
          onSubmit={(e) => {
            e.preventDefault();
            if (value.trim()) save(value.trim());
          }}
        >
          <p className="muted">
            Sent as <code>Authorization: Bearer &lt;key&gt;</code>, kept for this tab only. The local demo needs none.
          </p>
          <input type="password" placeholder="mql_<id>_<secret>" value={value} autoFocus onChange={(e) => setValue(e.target.value)} />
          <div className="buttons">
            <button type="submit">Use this key</button>
            {current && (
              <button type="button" onClick={() => save(null)}>
                Forget the key
              </button>
            )}
          </div>
        </form>
      )}
    </span>
  );
}
