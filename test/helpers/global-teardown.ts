import { stopTestPostgres } from './postgres';

export default async function globalTeardown(): Promise<void> {
  await stopTestPostgres();
}
