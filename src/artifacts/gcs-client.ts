import { Storage } from '@google-cloud/storage';
import { nativeCrc32c } from './crc32c';

const JSON_API_PATH = '/storage/v1';

/**
 * A Storage client for Google Cloud Storage, or for the emulator named by STORAGE_EMULATOR_HOST
 * (`http://host:port`, with or without a trailing `/storage/v1`).
 *
 * Why not rely on the library alone: @google-cloud/storage 7 uses STORAGE_EMULATOR_HOST verbatim as the JSON API
 * base URL but as the origin for uploads and downloads, so no single value serves both with fake-gcs-server.
 * Here the origin drives uploads/downloads and `<origin>/storage/v1` the JSON API. Without the variable, the
 * library's defaults apply (Application Default Credentials, storage.googleapis.com). Either way uploads and
 * downloads are validated with a native CRC32C (see nativeCrc32c).
 */
export function createStorageClient(env: NodeJS.ProcessEnv = process.env): Storage {
  const emulator = env.STORAGE_EMULATOR_HOST?.trim();
  if (!emulator) return new Storage({ crc32cGenerator: nativeCrc32c });
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(emulator) ? emulator : `http://${emulator}`;
  const origin = withScheme.replace(/\/+$/, '').replace(new RegExp(`${JSON_API_PATH}$`), '');
  // The emulator needs no credentials; a project id keeps bucket creation (tests, set-up) working.
  const storage = new Storage({
    apiEndpoint: origin,
    projectId: env.GOOGLE_CLOUD_PROJECT ?? 'modelctl-emulator',
    crc32cGenerator: nativeCrc32c,
  });
  storage.baseUrl = `${origin}${JSON_API_PATH}`;
  return storage;
}
