/** Jest global set-up: nothing shared yet beyond checking the Temporal binaries early with a clear message. */
import { locateTemporalBinary, TemporalBinary } from '../../src/server/temporal-binaries';
import { startGcsEmulator } from './gcs-emulator';

export default async function globalSetup(): Promise<void> {
  locateTemporalBinary(TemporalBinary.CLI);
  locateTemporalBinary(TemporalBinary.TEST_SERVER);
  await startGcsEmulator();
}
