/** Jest global set-up: checks the Temporal binaries early, then starts the servers every suite shares. */
import { locateTemporalBinary, TemporalBinary } from '../../src/embedded/temporal-binaries';
import { startTestPostgres } from './postgres';
import { startGcsEmulator } from './gcs-emulator';

export default async function globalSetup(): Promise<void> {
  locateTemporalBinary(TemporalBinary.CLI);
  locateTemporalBinary(TemporalBinary.TEST_SERVER);
  await startTestPostgres();
  await startGcsEmulator();
}
