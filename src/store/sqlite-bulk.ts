import type { SqliteStatements } from './transaction';

/** Statement texts by head, row count and tail; a handful per table (full chunks and the sizes of last chunks). */
const texts = new Map<string, string>();
const MAX_TEXTS = 256;

/**
 * A multi-row INSERT on SQLite with its parameters bound straight to the connection's kept statement:
 * `head` (`insert into "t" ("a", "b")`), `width` parameters a row, `params` the rows' values flattened in column
 * order, `tail` what follows the values (`on conflict …`). For bulk writes where Kysely's builder, which walks every
 * row object and compiles a value node per parameter, cost more than SQLite's own insert. Call it inside
 * inTransaction, which holds the one connection, so the statement runs in that transaction.
 * @returns SQLite's run result (the rowid of the last row inserted)
 */
export function sqliteInsertRows(
  statements: SqliteStatements,
  head: string,
  width: number,
  params: unknown[],
  tail = '',
): { lastInsertRowid: number | bigint } {
  const rows = params.length / width;
  const key = `${rows}\u0000${head}\u0000${tail}`;
  let text = texts.get(key);
  if (text === undefined) {
    const row = `(${Array.from({ length: width }, () => '?').join(', ')})`;
    text = `${head} values ${Array.from({ length: rows }, () => row).join(', ')}${tail === '' ? '' : ` ${tail}`}`;
    if (texts.size >= MAX_TEXTS) texts.delete(texts.keys().next().value!);
    texts.set(key, text);
  }
  return statements.prepare(text).run(params);
}
