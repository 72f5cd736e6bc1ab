import { stopGcsEmulator } from './gcs-emulator';

export default async function globalTeardown(): Promise<void> {
  await stopGcsEmulator();
}
