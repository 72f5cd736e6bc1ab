import { stopTestPostgres } from './postgres';
import { stopGcsEmulator } from './gcs-emulator';

export default async function globalTeardown(): Promise<void> {
  await Promise.all([stopTestPostgres(), stopGcsEmulator()]);
}
