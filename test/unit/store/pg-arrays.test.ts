import pg from 'pg';
import { pgNumberArray, pgTextArray } from '../../../src/store/pg-arrays';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres';

describe('PostgreSQL array literals', () => {
  let database: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  test('text arrays come back element for element, quotes, backslashes, braces and runs included', async () => {
    const values = ['loss', 'loss', 'a"b', 'a\\b', '{x,y}', ' padded ', 'NULL', '', 'é/∑', 'loss'];
    const { rows } = await client.query<{ v: string[] }>('select $1::text[] as v', [pgTextArray(values)]);
    expect(rows[0]!.v).toEqual(values);
    const pgOwn = await client.query<{ v: string[] }>('select $1::text[] as v', [values]);
    expect(pgOwn.rows[0]!.v).toEqual(values);
  });

  test("float8 and int8 arrays read back the numbers that the driver's own conversion stores", async () => {
    const floats = [0, -0, 0.1, 1 / 3, -2.5e-300, Number.MAX_VALUE, Number.MIN_VALUE, 123456789.123456789];
    const ours = await client.query<{ v: string[] }>('select $1::float8[]::text[] as v', [pgNumberArray(floats)]);
    const own = await client.query<{ v: string[] }>('select $1::float8[]::text[] as v', [floats]);
    expect(ours.rows[0]!.v).toEqual(own.rows[0]!.v);
    // Exact, but for the sign of zero, which the driver's String(-0) drops too.
    expect(ours.rows[0]!.v.map(Number)).toEqual(floats.map((f) => (Object.is(f, -0) ? 0 : f)));
    const ints = [0, 1, 63, 64, Number.MAX_SAFE_INTEGER];
    const read = await client.query<{ v: string[] }>('select $1::int8[]::text[] as v', [pgNumberArray(ints)]);
    expect(read.rows[0]!.v).toEqual(ints.map(String));
    expect(pgNumberArray([])).toBe('{}');
    expect(pgTextArray([])).toBe('{}');
  });
});
