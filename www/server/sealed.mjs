// Secrets at rest for the demo's store: tokens and metadata client secrets are sealed with
// AES-256-GCM before they reach the database file, under keys from the environment.
//
// `DEMO_DATA_KEYS` is a comma-separated list of 32-byte keys, base64 (make one with
// `node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`). The first
// seals; every one opens, so a key is rotated by putting the new one first, running
// `node www/server.mjs --reseal` (every sealed value is sealed again under the first key),
// then removing the old one. A sealed value names its key by a short fingerprint, never the
// key. Without keys nothing is sealed (a development database); `--production` refuses to
// start without them.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'sealed:v1:';

/** Keys from `DEMO_DATA_KEYS`; throws a message that says what is wrong with it. */
export function keysFromEnvironment(value = process.env.DEMO_DATA_KEYS) {
  if (!value) return [];
  return value.split(',').map((text, i) => {
    const key = Buffer.from(text.trim(), 'base64');
    if (key.length !== 32) throw new Error(`DEMO_DATA_KEYS: key ${i + 1} is not 32 bytes of base64 (got ${key.length} bytes)`);
    return key;
  });
}

const fingerprint = (key) => createHash('sha256').update(key).digest('base64url').slice(0, 8);

/** A sealer over `keys` (the first seals, all open); with none, values pass as they are. */
export function sealer(keys) {
  const byFingerprint = new Map(keys.map((key) => [fingerprint(key), key]));
  return {
    sealing: keys.length > 0,
    /** `value` sealed under the first key (or as it is, without keys). */
    seal(value) {
      if (value === null || value === undefined || keys.length === 0) return value;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keys[0], iv);
      const sealed = Buffer.concat([cipher.update(String(value), 'utf8'), cipher.final()]);
      return `${PREFIX}${fingerprint(keys[0])}:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
    },
    /** A stored value opened: sealed ones need their key; plain ones (from before keys) pass. */
    open(value) {
      if (typeof value !== 'string' || !value.startsWith(PREFIX)) return value;
      const [print, data] = value.slice(PREFIX.length).split(':');
      const key = byFingerprint.get(print);
      if (!key) throw new Error(`the database holds a value sealed with key ${print}, which DEMO_DATA_KEYS does not have`);
      const bytes = Buffer.from(data, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    },
    /** Whether a stored value needs sealing again (plain, or under another key than the first). */
    stale(value) {
      if (keys.length === 0 || value === null || value === undefined) return false;
      return !String(value).startsWith(`${PREFIX}${fingerprint(keys[0])}:`);
    },
  };
}
