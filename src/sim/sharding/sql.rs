//! The SQL subset the query router accepts, parsed by hand (recursive descent over a small tokenizer):
//!
//! ```text
//! SELECT * | count(*) | column [, column]...
//! FROM users [[INNER] JOIN orders ON users.id = orders.user_id]
//! [WHERE column op literal [AND column op literal]...] [;]
//! ```
//! op is one of `= != <> < <= > >=`; a literal is an integer or a 'string' ('' inside for a quote);
//! columns are `id name email age location` of users and, with the join, `order_id user_id amount` of
//! orders, optionally qualified (`users.id`); keywords in any case.
//!
//! Why not `sqlparser`: measured as a throwaway `cdylib` for wasm32-unknown-unknown (opt-level "z", LTO,
//! one codegen unit, panic=abort, then binaryen 132's `wasm-opt -Oz`), calling `Parser::parse_sql` with
//! `GenericDialect` on a string costs 411,340 bytes gzip (1,244,764 raw) with sqlparser 0.64 (default
//! features off but std), against 18,854 bytes gzip for the same entry point without it: about 392 KB
//! gzip more, over six times a lab's ~60 KB budget and most of the whole app's ~510 KB. Dropping the tree's
//! `Display` saved nothing (413,485 vs 413,664 with default features). So the subset is parsed here.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What the router understands, said in every refusal.
pub const SUPPORTED: &str = "supported: SELECT * | count(*) | column, ... FROM users \
[JOIN orders ON users.id = orders.user_id] [WHERE column op literal [AND column op literal]...], \
op one of = != < <= > >=, a literal an integer or a 'string'; users columns id, name, email, age, location; \
orders columns (with the join) order_id, user_id, amount";

/// Longest query text accepted, in bytes.
pub const QUERY_LEN_MAX: usize = 2_000;

/// A column of either table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Id,
    Name,
    Email,
    Age,
    Location,
    OrderId,
    UserId,
    Amount,
}

impl Column {
    /// Every column: the users', then the orders'.
    pub const ALL: [Column; 8] = [
        Column::Id,
        Column::Name,
        Column::Email,
        Column::Age,
        Column::Location,
        Column::OrderId,
        Column::UserId,
        Column::Amount,
    ];

    /// The column's name in its table.
    pub fn name(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::Name => "name",
            Column::Email => "email",
            Column::Age => "age",
            Column::Location => "location",
            Column::OrderId => "order_id",
            Column::UserId => "user_id",
            Column::Amount => "amount",
        }
    }

    /// True for a column of `orders`.
    pub fn in_orders(self) -> bool {
        matches!(self, Column::OrderId | Column::UserId | Column::Amount)
    }

    /// `table.column`.
    pub fn qualified(self) -> String {
        format!("{}.{}", if self.in_orders() { "orders" } else { "users" }, self.name())
    }

    /// True for a text column.
    pub fn is_text(self) -> bool {
        matches!(self, Column::Name | Column::Email | Column::Location)
    }
}

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    /// Whether `ord` (left compared with right) satisfies the comparison.
    #[inline]
    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Eq => ord == Equal,
            Op::Ne => ord != Equal,
            Op::Lt => ord == Less,
            Op::Le => ord != Greater,
            Op::Gt => ord == Greater,
            Op::Ge => ord != Less,
        }
    }
}

/// A literal value (ordered integers first, as SQLite orders them, for sorting answers).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Literal {
    Int(i64),
    Text(String),
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Int(v) => write!(f, "{v}"),
            Literal::Text(s) => write!(f, "'{}'", s.replace('\'', "''")),
        }
    }
}

/// `column op literal`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cond {
    pub column: Column,
    pub op: Op,
    pub value: Literal,
}

/// What the query returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "columns", rename_all = "snake_case")]
pub enum Projection {
    /// Every column (the users', then with the join the orders').
    Star,
    /// `count(*)`.
    Count,
    Columns(Vec<Column>),
}

/// A query of the subset.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Query {
    pub projection: Projection,
    /// Joined with orders on `users.id = orders.user_id`.
    pub join: bool,
    /// Conditions, all of which must hold.
    pub conds: Vec<Cond>,
}

impl Query {
    /// The columns the query returns (`Count`: none).
    pub fn output_columns(&self) -> Vec<Column> {
        match &self.projection {
            Projection::Star => Column::ALL.into_iter().filter(|c| self.join || !c.in_orders()).collect(),
            Projection::Count => Vec::new(),
            Projection::Columns(c) => c.clone(),
        }
    }

    /// Every column the query reads (returned or compared), once each, in first-use order.
    pub fn columns_read(&self) -> Vec<Column> {
        let mut out = self.output_columns();
        for c in &self.conds {
            if !out.contains(&c.column) {
                out.push(c.column);
            }
        }
        out
    }
}

impl fmt::Display for Query {
    /// The query in canonical form (qualified columns with the join), valid SQLite.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let col = |c: Column| if self.join { c.qualified() } else { c.name().to_string() };
        let projection = match &self.projection {
            Projection::Star => "*".to_string(),
            Projection::Count => "count(*)".to_string(),
            Projection::Columns(cs) => cs.iter().map(|&c| col(c)).collect::<Vec<_>>().join(", "),
        };
        write!(f, "SELECT {projection} FROM users")?;
        if self.join {
            write!(f, " JOIN orders ON users.id = orders.user_id")?;
        }
        for (i, c) in self.conds.iter().enumerate() {
            write!(f, " {} {} {} {}", if i == 0 { "WHERE" } else { "AND" }, col(c.column), c.op.symbol(), c.value)?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String),
    Int(i64),
    Text(String),
    Sym(&'static str),
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Word(w) => write!(f, "\"{w}\""),
            Token::Int(v) => write!(f, "{v}"),
            Token::Text(s) => write!(f, "'{s}'"),
            Token::Sym(s) => write!(f, "\"{s}\""),
        }
    }
}

fn refuse(what: impl fmt::Display) -> String {
    format!("unsupported query: {what}; {SUPPORTED}")
}

fn tokenize(sql: &str) -> Result<Vec<Token>, String> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Token::Word(sql[start..i].to_string()));
        } else if c.is_ascii_digit() || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let start = i;
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'.' || b[i].is_ascii_alphabetic()) {
                return Err(refuse(format!("\"{}\" is not an integer (numbers are whole)", &sql[start..=i])));
            }
            let v = sql[start..i].parse().map_err(|_| refuse(format!("{} is too large a number", &sql[start..i])))?;
            out.push(Token::Int(v));
        } else if c == b'\'' {
            let mut s = String::new();
            let mut j = i + 1;
            loop {
                match sql[j..].find('\'') {
                    None => return Err(refuse("a string is not closed with '")),
                    Some(k) => {
                        s.push_str(&sql[j..j + k]);
                        j += k + 1;
                        if b.get(j) == Some(&b'\'') {
                            s.push('\'');
                            j += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
            out.push(Token::Text(s));
            i = j;
        } else {
            let two = sql.get(i..i + 2).unwrap_or("");
            let sym = match two {
                "!=" | "<>" => Some("!="),
                "<=" => Some("<="),
                ">=" => Some(">="),
                _ => None,
            };
            if let Some(s) = sym {
                out.push(Token::Sym(s));
                i += 2;
                continue;
            }
            let one = match c {
                b'*' => "*",
                b',' => ",",
                b'(' => "(",
                b')' => ")",
                b'.' => ".",
                b'=' => "=",
                b'<' => "<",
                b'>' => ">",
                b';' => ";",
                _ => {
                    let ch = sql[i..].chars().next().unwrap_or('?');
                    return Err(refuse(format!("the character '{ch}' has no meaning here")));
                }
            };
            out.push(Token::Sym(one));
            i += 1;
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    join: bool,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(x)) if x.eq_ignore_ascii_case(w))
    }

    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Token::Sym(x)) if *x == s)
    }

    fn found(&self) -> String {
        match self.peek() {
            Some(t) => format!("found {t}"),
            None => "the query ended".to_string(),
        }
    }

    fn word(&mut self, w: &str) -> Result<(), String> {
        if self.is_word(w) {
            self.at += 1;
            Ok(())
        } else {
            Err(refuse(format!("expected {} but {}", w.to_ascii_uppercase(), self.found())))
        }
    }

    fn sym(&mut self, s: &str) -> Result<(), String> {
        if self.is_sym(s) {
            self.at += 1;
            Ok(())
        } else {
            Err(refuse(format!("expected \"{s}\" but {}", self.found())))
        }
    }

    fn ident(&mut self) -> Result<String, String> {
        match self.peek() {
            Some(Token::Word(w)) => {
                let w = w.to_ascii_lowercase();
                self.at += 1;
                Ok(w)
            }
            _ => Err(refuse(format!("expected a column but {}", self.found()))),
        }
    }

    /// `[table.]column`; the table decides between homonyms, orders columns need the join.
    fn column(&mut self) -> Result<Column, String> {
        let first = self.ident()?;
        let (table, name) = if self.is_sym(".") {
            self.at += 1;
            (Some(first), self.ident()?)
        } else {
            (None, first)
        };
        let col = Column::ALL.into_iter().find(|c| c.name() == name);
        let col = match (table.as_deref(), col) {
            (Some("users"), Some(c)) if !c.in_orders() => c,
            (Some("orders"), Some(c)) if c.in_orders() => c,
            (Some(t @ ("users" | "orders")), _) => {
                return Err(refuse(format!("the {t} table has no column \"{name}\"")));
            }
            (Some(t), _) => return Err(refuse(format!("there is no table \"{t}\" (only users and orders)"))),
            (None, Some(c)) => c,
            (None, None) => return Err(refuse(format!("there is no column \"{name}\""))),
        };
        if col.in_orders() && !self.join {
            return Err(refuse(format!("{} is a column of orders: it needs the JOIN", col.name())));
        }
        Ok(col)
    }

    fn projection_tokens(&mut self) -> Result<usize, String> {
        // The projection is read after FROM ... JOIN, so skip it here and come back.
        let start = self.at;
        while self.at < self.tokens.len() && !self.is_word("from") {
            self.at += 1;
        }
        if self.at == self.tokens.len() {
            return Err(refuse("expected FROM users"));
        }
        Ok(start)
    }

    fn projection(&mut self) -> Result<Projection, String> {
        if self.is_sym("*") {
            self.at += 1;
            return Ok(Projection::Star);
        }
        if self.is_word("count") {
            self.at += 1;
            self.sym("(")?;
            if !self.is_sym("*") {
                return Err(refuse(format!("only count(*) is supported, {}", self.found())));
            }
            self.at += 1;
            self.sym(")")?;
            return Ok(Projection::Count);
        }
        let mut cols = vec![self.column()?];
        while self.is_sym(",") {
            self.at += 1;
            cols.push(self.column()?);
        }
        Ok(Projection::Columns(cols))
    }

    fn literal(&mut self) -> Result<Literal, String> {
        let lit = match self.peek() {
            Some(Token::Int(v)) => Literal::Int(*v),
            Some(Token::Text(s)) => Literal::Text(s.clone()),
            _ => return Err(refuse(format!("expected a literal (an integer or a 'string') but {}", self.found()))),
        };
        self.at += 1;
        Ok(lit)
    }

    fn op(&mut self) -> Result<Op, String> {
        let op = match self.peek() {
            Some(Token::Sym("=")) => Op::Eq,
            Some(Token::Sym("!=")) => Op::Ne,
            Some(Token::Sym("<")) => Op::Lt,
            Some(Token::Sym("<=")) => Op::Le,
            Some(Token::Sym(">")) => Op::Gt,
            Some(Token::Sym(">=")) => Op::Ge,
            _ => return Err(refuse(format!("expected a comparison but {}", self.found()))),
        };
        self.at += 1;
        Ok(op)
    }

    fn cond(&mut self) -> Result<Cond, String> {
        let column = self.column()?;
        let op = self.op()?;
        let value = self.literal()?;
        match (&value, column.is_text()) {
            (Literal::Int(_), true) => Err(refuse(format!("{} is text: compare it with a 'string'", column.name()))),
            (Literal::Text(_), false) => {
                Err(refuse(format!("{} is a number: compare it with an integer", column.name())))
            }
            _ => Ok(Cond { column, op, value }),
        }
    }
}

/// Parses a query of the subset; a refusal is a sentence ending with what is supported.
pub fn parse(sql: &str) -> Result<Query, String> {
    if sql.len() > QUERY_LEN_MAX {
        return Err(format!("a query is at most {QUERY_LEN_MAX} characters long (got {})", sql.len()));
    }
    let tokens = tokenize(sql)?;
    let mut p = Parser { tokens, at: 0, join: false };
    p.word("select")?;
    let projection_at = p.projection_tokens()?;
    p.word("from")?;
    if !p.is_word("users") {
        return Err(refuse(format!("queries read FROM users, {}", p.found())));
    }
    p.at += 1;
    if p.is_word("inner") || p.is_word("join") {
        if p.is_word("inner") {
            p.at += 1;
        }
        p.word("join")?;
        p.word("orders")?;
        p.word("on")?;
        p.join = true;
        let (a, b) = (p.column()?, {
            p.sym("=")?;
            p.column()?
        });
        if !matches!((a, b), (Column::Id, Column::UserId) | (Column::UserId, Column::Id)) {
            return Err(refuse("the join is on users.id = orders.user_id"));
        }
    } else if p.is_word("left") || p.is_word("right") || p.is_word("cross") || p.is_word("full") {
        return Err(refuse("only the inner JOIN of orders is supported"));
    }
    let mut conds = Vec::new();
    if p.is_word("where") {
        p.at += 1;
        conds.push(p.cond()?);
        while p.is_word("and") {
            p.at += 1;
            conds.push(p.cond()?);
        }
        if p.is_word("or") {
            return Err(refuse("conditions combine with AND only"));
        }
    }
    if p.is_sym(";") {
        p.at += 1;
    }
    if p.at < p.tokens.len() {
        let what = match p.peek() {
            Some(Token::Word(w)) if ["order", "group", "limit", "having"].iter().any(|k| w.eq_ignore_ascii_case(k)) => {
                format!("{} is not supported", w.to_ascii_uppercase())
            }
            _ => format!("unexpected {} after the query", p.peek().expect("not at the end")),
        };
        return Err(refuse(what));
    }
    let end = p.at;
    p.at = projection_at;
    let projection = p.projection()?;
    if !p.is_word("from") {
        return Err(refuse(format!("expected FROM after the selected columns but {}", p.found())));
    }
    p.at = end;
    Ok(Query { projection, join: p.join, conds })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notes_queries_parse() {
        let q = parse("SELECT * FROM users WHERE location = 'London' AND age >= 50").unwrap();
        assert_eq!(q.projection, Projection::Star);
        assert_eq!(q.conds.len(), 2);
        assert_eq!(q.conds[1], Cond { column: Column::Age, op: Op::Ge, value: Literal::Int(50) });
        let q =
            parse("select count(*) from USERS join orders on orders.user_id = users.id where amount > 100;").unwrap();
        assert!(q.join && q.projection == Projection::Count);
        let q = parse("SELECT id, name FROM users WHERE id >= 10 AND id <= 20").unwrap();
        assert_eq!(q.projection, Projection::Columns(vec![Column::Id, Column::Name]));
        let q = parse("SELECT users.name, orders.amount FROM users INNER JOIN orders ON users.id = orders.user_id")
            .unwrap();
        assert_eq!(q.output_columns(), vec![Column::Name, Column::Amount]);
        assert_eq!(
            parse("SELECT * FROM users WHERE name = 'O''Brien'").unwrap().conds[0].value,
            Literal::Text("O'Brien".into())
        );
        assert_eq!(parse("SELECT * FROM users WHERE id <> -3").unwrap().conds[0].op, Op::Ne);
    }

    #[test]
    fn display_round_trips() {
        for sql in [
            "SELECT * FROM users",
            "SELECT count(*) FROM users JOIN orders ON users.id = orders.user_id WHERE users.age < 30",
            "SELECT email, location FROM users WHERE location != 'Sao Paulo' AND id > 5",
            "SELECT * FROM users WHERE name = 'O''Brien'",
        ] {
            let q = parse(sql).unwrap();
            assert_eq!(parse(&q.to_string()).unwrap(), q, "{sql}");
        }
    }

    #[test]
    fn refusals_say_what_is_supported() {
        for (sql, says) in [
            ("DELETE FROM users", "expected SELECT"),
            ("SELECT * FROM orders", "FROM users"),
            ("SELECT * FROM users WHERE age > 5 OR age < 3", "AND only"),
            ("SELECT * FROM users ORDER BY id", "ORDER is not supported"),
            ("SELECT amount FROM users", "needs the JOIN"),
            ("SELECT * FROM users WHERE age = 'old'", "compare it with an integer"),
            ("SELECT * FROM users WHERE location = 3", "compare it with a 'string'"),
            ("SELECT * FROM users WHERE height > 3", "no column \"height\""),
            ("SELECT * FROM users WHERE age > 3.5", "not an integer"),
            ("SELECT count(id) FROM users", "only count(*)"),
            ("SELECT * FROM users LEFT JOIN orders ON users.id = orders.user_id", "inner JOIN"),
            ("SELECT * FROM users JOIN orders ON users.id = orders.order_id", "users.id = orders.user_id"),
            ("SELECT * FROM users WHERE name = 'x", "not closed"),
            ("SELECT * FROM users WHERE age > 99999999999999999999", "too large"),
            ("SELECT *", "FROM users"),
            ("SELECT * FROM users WHERE id = 1 id", "unexpected"),
            ("SELECT * FROM users WHERE id # 1", "'#'"),
        ] {
            let e = parse(sql).unwrap_err();
            assert!(e.contains(says), "{sql}: {e}");
            assert!(e.ends_with(SUPPORTED.split("; ").last().unwrap()) || e.contains("supported:"), "{e}");
        }
        assert!(parse(&"x".repeat(3000)).unwrap_err().contains("at most"));
    }
}
