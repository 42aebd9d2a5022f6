//! Several statements sent to the database as one.
//!
//! sqlx runs SQLite on a thread of its own per connection: every statement is a
//! hand-off to that thread and back, and on the group writer those hand-offs, not
//! SQLite's work, were most of the store's time. Statements joined here go in one
//! hand-off: SQLite runs a multi-statement string in order, here inside a savepoint
//! so that they stand or fall together. On Postgres they become one statement
//! (data-modifying CTEs, atomic by itself): one round trip instead of one each.
//!
//! Each statement is written with its own `$1…$n`; binds follow in statement order.
//! On Postgres the statements see one snapshot, so none may depend on another's
//! writes, and only the last one's rows are returned.

use super::AnyQuery;
use super::StoreKind;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

/// The savepoint wrapped around SQLite's joined statements.
const SAVEPOINT: &str = "joined";

/// Statements sent as one, in each store's form.
#[derive(Debug)]
pub struct Joined {
    sqlite: String,
    postgres: String,
}

impl Joined {
    /// `statements`, each with its own `$1…$n`, joined with their parameters renumbered.
    pub fn new(statements: &[&str]) -> Joined {
        let mut offset = 0;
        let mut renumbered = Vec::with_capacity(statements.len());
        for statement in statements {
            let (text, highest) = renumber(statement.trim(), offset);
            renumbered.push(text);
            offset += highest;
        }
        let (last, first) = renumbered.split_last().expect("at least one statement");
        let ctes: Vec<String> = first.iter().enumerate().map(|(i, s)| format!("s{i} AS ({s})")).collect();
        let postgres = if ctes.is_empty() { last.clone() } else { format!("WITH {} {last}", ctes.join(", ")) };
        Joined { sqlite: in_savepoint(&renumbered.join(";\n")), postgres }
    }

    /// One hand-written text per store, for work the portable form cannot say (e.g.
    /// a write that depends on the one before it). The SQLite text gets the savepoint.
    pub fn per_store(sqlite: &str, postgres: &str) -> Joined {
        Joined { sqlite: in_savepoint(sqlite.trim().trim_end_matches(';')), postgres: postgres.trim().to_owned() }
    }

    /// The text sent to `kind`'s store.
    pub fn sql(&self, kind: StoreKind) -> &str {
        match kind {
            StoreKind::Sqlite => &self.sqlite,
            StoreKind::Postgres => &self.postgres,
        }
    }

    /// Runs the statements, all or none, with the binds `bind` adds; the rows they
    /// return (on SQLite every statement's, in order; on Postgres the last one's, so
    /// only the last statement should return rows). `'static`: the texts are built
    /// once, in a `static`, and sqlx caches each store's prepared form by its text.
    pub async fn fetch_all<'q>(
        &'static self,
        conn: &mut AnyConnection,
        bind: impl FnOnce(AnyQuery<'q>) -> AnyQuery<'q>,
    ) -> sqlx::Result<Vec<AnyRow>> {
        let kind = StoreKind::of_connection(conn);
        let sql: &'static str = self.sql(kind);
        // Never `fetch_optional` here: sqlx stops SQLite after the first row, and the
        // statements after it (and the savepoint's release) would not run.
        match bind(sqlx::query(sql)).fetch_all(&mut *conn).await {
            Ok(rows) => Ok(rows),
            Err(e) => {
                if kind == StoreKind::Sqlite {
                    // Undo what ran before the failing statement; if the savepoint
                    // itself failed there is nothing to undo and this fails too.
                    if let Err(undo) = sqlx::query(UNDO).execute(&mut *conn).await {
                        tracing::warn!(error = %e, %undo, "statements sent as one failed and could not be undone to their savepoint");
                    }
                }
                Err(e)
            }
        }
    }
}

fn in_savepoint(statements: &str) -> String {
    format!("SAVEPOINT {SAVEPOINT};\n{statements};\nRELEASE {SAVEPOINT}")
}

/// Undoes a failed SQLite joining: back to its savepoint, which is then let go.
const UNDO: &str = "ROLLBACK TO joined; RELEASE joined";

/// `statement` with each `$n` raised by `offset`, and its highest `n`.
fn renumber(statement: &str, offset: usize) -> (String, usize) {
    let mut out = String::with_capacity(statement.len() + 16);
    let mut highest = 0;
    let mut chars = statement.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        out.push(c);
        if c != '$' {
            continue;
        }
        let mut digits = String::new();
        while let Some(&(_, d)) = chars.peek() {
            if !d.is_ascii_digit() {
                break;
            }
            digits.push(d);
            chars.next();
        }
        match digits.parse::<usize>() {
            Ok(n) => {
                highest = highest.max(n);
                out.push_str(&(n + offset).to_string());
            }
            Err(_) => out.push_str(&digits),
        }
    }
    (out, highest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_renumbered_after_the_statements_before() {
        assert_eq!(renumber("INSERT INTO t (a, b) VALUES ($1, $2)", 0), ("INSERT INTO t (a, b) VALUES ($1, $2)".into(), 2));
        assert_eq!(
            renumber("UPDATE t SET a = $2 WHERE b = $1 AND c = $10", 3),
            ("UPDATE t SET a = $5 WHERE b = $4 AND c = $13".into(), 10)
        );
        assert_eq!(renumber("SELECT 1", 7), ("SELECT 1".into(), 0));
    }

    #[test]
    fn each_store_gets_its_own_form() {
        let joined =
            Joined::new(&["INSERT INTO a (x) VALUES ($1)", " INSERT INTO b (x, y) VALUES ($1, $2) ", "UPDATE c SET x = $1 RETURNING x"]);
        assert_eq!(
            joined.sql(StoreKind::Sqlite),
            "SAVEPOINT joined;\nINSERT INTO a (x) VALUES ($1);\nINSERT INTO b (x, y) VALUES ($2, $3);\nUPDATE c SET x = $4 RETURNING x;\nRELEASE joined"
        );
        assert_eq!(
            joined.sql(StoreKind::Postgres),
            "WITH s0 AS (INSERT INTO a (x) VALUES ($1)), s1 AS (INSERT INTO b (x, y) VALUES ($2, $3)) UPDATE c SET x = $4 RETURNING x"
        );
        assert_eq!(Joined::new(&["DELETE FROM a WHERE x = $1"]).sql(StoreKind::Postgres), "DELETE FROM a WHERE x = $1");
    }
}
