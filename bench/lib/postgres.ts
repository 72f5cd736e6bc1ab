/** Fresh databases on the throwaway PostgreSQL server scripts/bench started. */
import pg from 'pg';

/** Creates database `name` (dropping an old one) and returns its URL. */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${name} with (force)`);
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  // The admin URL names a unix-socket directory in its query (no host), which WHATWG URL cannot parse.
  return adminUrl.replace('/postgres?', `/${name}?`);
}
