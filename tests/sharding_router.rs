//! The sharding lab's differential test: the router's answer to every query, under every shard key and
//! several shard counts, with orders co-located or not, equals that of one unsharded SQLite database
//! holding the same rows. The notes' example queries first, then random queries of the subset.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rusqlite::Connection;
use sysplay::sim::sharding::{
    CITIES, CitySkew, Cluster, Column, Cond, DataConfig, Dataset, LatencyModel, Literal, Op, OrdersBy, Projection,
    Query, Routing, ShardKey, ShardingConfig, parse,
};

const USERS: u64 = 3_000;
const SEED: u64 = 42;
/// Enough for every row of any query on 3,000 users (at most 3 orders each).
const CAP: usize = 20_000;

fn dataset() -> Dataset {
    Dataset::new(SEED, &DataConfig { users: USERS, cities: CitySkew::Zipf { s_milli: 1_000 }, orders_per_user_max: 3 })
        .unwrap()
}

fn reference(data: &Dataset) -> Connection {
    let db = Connection::open_in_memory().unwrap();
    db.execute_batch(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT, age INTEGER, location TEXT);
         CREATE TABLE orders (order_id INTEGER PRIMARY KEY, user_id INTEGER, amount INTEGER);",
    )
    .unwrap();
    let tx = db.unchecked_transaction().unwrap();
    {
        let mut users = tx.prepare("INSERT INTO users VALUES (?1, ?2, ?3, ?4, ?5)").unwrap();
        let mut orders = tx.prepare("INSERT INTO orders VALUES (?1, ?2, ?3)").unwrap();
        for id in 1..=data.users() {
            let u = data.user(id);
            users.execute(rusqlite::params![u.id as i64, u.name, u.email, u.age, u.location]).unwrap();
            for o in data.orders_of(id) {
                orders.execute(rusqlite::params![o.order_id as i64, o.user_id as i64, o.amount as i64]).unwrap();
            }
        }
    }
    tx.commit().unwrap();
    db
}

/// Every row SQLite returns, sorted (SQL without ORDER BY promises no order).
fn sqlite_rows(db: &Connection, sql: &str) -> Vec<Vec<Literal>> {
    let mut stmt = db.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let n = stmt.column_count();
    let mut rows: Vec<Vec<Literal>> = stmt
        .query_map([], |r| {
            (0..n)
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        rusqlite::types::ValueRef::Integer(v) => Literal::Int(v),
                        rusqlite::types::ValueRef::Text(t) => Literal::Text(String::from_utf8(t.to_vec()).unwrap()),
                        other => panic!("unexpected value {other:?}"),
                    })
                })
                .collect()
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.sort();
    rows
}

fn clusters(data: &Dataset) -> Vec<Cluster> {
    let mut out = Vec::new();
    for key in ShardKey::ALL {
        for shards in [1, 2, 7, 64] {
            for orders_by in [OrdersBy::UserId, OrdersBy::OrderId] {
                for age_index in [false, true] {
                    if age_index && shards != 7 {
                        continue;
                    }
                    let config = ShardingConfig { orders_by, age_index, ..ShardingConfig::new(key, shards) };
                    out.push(Cluster::new(data.clone(), &config).unwrap());
                }
            }
        }
    }
    out
}

/// The router's answer on every cluster equals SQLite's; returns the outcome on the first cluster.
fn check(db: &Connection, clusters: &[Cluster], sql: &str) -> Result<(), String> {
    let query = parse(sql).map_err(|e| format!("{sql}: {e}"))?;
    let expected = sqlite_rows(db, sql);
    for c in clusters {
        let o = c.run(&query, &LatencyModel::default(), CAP);
        let mut got = o.answer.rows.clone();
        got.sort();
        let cfg = format!("{} × {} shards, orders by {:?}", c.layout.key(), c.layout.shards(), c.layout.orders_by());
        if o.answer.truncated {
            return Err(format!("{sql} ({cfg}): answer truncated"));
        }
        if got != expected {
            return Err(format!(
                "{sql} ({cfg}): router {} rows, SQLite {} rows; first differing: {:?} vs {:?}",
                got.len(),
                expected.len(),
                got.iter().zip(&expected).find(|(a, b)| a != b).map(|p| p.0),
                got.iter().zip(&expected).find(|(a, b)| a != b).map(|p| p.1),
            ));
        }
        if let Some(count) = o.answer.count {
            assert_eq!(expected, vec![vec![Literal::Int(count as i64)]]);
        } else if o.answer.row_count != expected.len() as u64 {
            return Err(format!("{sql} ({cfg}): row_count {} vs {}", o.answer.row_count, expected.len()));
        }
        // Pruning is sound: rows come only from asked shards, and the with-index plan never reads more.
        assert!(o.rows_scanned_with_index <= o.rows_scanned_without_index, "{sql}");
        assert!(o.plan.routing != Routing::NoShard || o.answer.rows_value() == 0, "{sql}");
    }
    Ok(())
}

/// The notes' examples and the issue's: point lookup, London, London over 50, an id range, the join.
const EXAMPLES: &[&str] = &[
    "SELECT * FROM users WHERE id = 1234",
    "SELECT * FROM users WHERE location = 'London'",
    "SELECT * FROM users WHERE location = 'London' AND age >= 50",
    "SELECT count(*) FROM users WHERE location = 'London' AND age >= 50",
    "SELECT id, name FROM users WHERE id >= 100 AND id < 250",
    "SELECT * FROM users JOIN orders ON users.id = orders.user_id WHERE users.id = 77",
    "SELECT users.name, orders.amount FROM users JOIN orders ON users.id = orders.user_id WHERE location = 'Paris' AND amount > 25000",
    "SELECT count(*) FROM users JOIN orders ON users.id = orders.user_id",
    "SELECT count(*) FROM users",
    "SELECT * FROM users",
    "SELECT email FROM users WHERE name = 'Grace Hall' AND age < 30",
    "SELECT * FROM users WHERE location > 'M' AND location <= 'Sydney' AND age != 40",
    "SELECT count(*) FROM users WHERE id > 2990 AND id <= 5000",
    "SELECT * FROM users WHERE id = 0",
    "SELECT * FROM users WHERE id > 10 AND id < 5",
    "SELECT * FROM users WHERE location = 'Atlantis'",
    "SELECT * FROM users JOIN orders ON orders.user_id = users.id WHERE orders.user_id = 5 AND order_id != 13",
    "SELECT order_id, user_id FROM users JOIN orders ON users.id = orders.user_id WHERE order_id >= 100 AND order_id <= 130",
];

#[test]
fn every_example_agrees_with_sqlite_under_every_key_and_shard_count() {
    let data = dataset();
    let db = reference(&data);
    let clusters = clusters(&data);
    for sql in EXAMPLES {
        check(&db, &clusters, sql).unwrap();
    }
}

fn column(join: bool) -> impl Strategy<Value = Column> {
    let n = if join { Column::ALL.len() } else { 5 };
    (0..n).prop_map(|i| Column::ALL[i])
}

fn cond(join: bool) -> impl Strategy<Value = Cond> {
    let op = prop::sample::select(vec![Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge]);
    let texts: Vec<String> = CITIES
        .iter()
        .map(|c| c.to_string())
        .chain(["Atlantis", "M", "", "Grace Hall", "Alice Smith", "bob.hall25@example.com", "m"].map(String::from))
        .collect();
    (column(join), op, -5i64..3_200, 0i64..60_000, prop::sample::select(texts)).prop_map(
        |(column, op, small, big, text)| {
            let value = match column {
                Column::Age => Literal::Int(small % 100),
                Column::Amount => Literal::Int(big),
                Column::OrderId => Literal::Int(big / 6),
                Column::Id | Column::UserId => Literal::Int(small),
                _ => Literal::Text(text),
            };
            Cond { column, op, value }
        },
    )
}

fn query() -> impl Strategy<Value = Query> {
    any::<bool>().prop_flat_map(|join| {
        let projection = prop_oneof![
            Just(Projection::Star),
            Just(Projection::Count),
            prop::collection::vec(column(join), 1..4).prop_map(Projection::Columns),
        ];
        (projection, prop::collection::vec(cond(join), 0..4)).prop_map(move |(projection, conds)| Query {
            projection,
            join,
            conds,
        })
    })
}

#[test]
fn random_queries_agree_with_sqlite() {
    let data = dataset();
    let db = reference(&data);
    let clusters = clusters(&data);
    let mut runner = TestRunner::new(Config { cases: 48, ..Config::default() });
    runner
        .run(&query(), |q| {
            let sql = q.to_string();
            let back = parse(&sql);
            prop_assert_eq!(back.as_ref(), Ok(&q), "the canonical text parses back");
            check(&db, &clusters, &sql).map_err(TestCaseError::fail)?;
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_notes_routing_examples() {
    let data = dataset();
    let by = |key, shards| Cluster::new(data.clone(), &ShardingConfig::new(key, shards)).unwrap();
    let run = |c: &Cluster, sql: &str| c.run(&parse(sql).unwrap(), &LatencyModel::default(), 10);
    let london50 = "SELECT * FROM users WHERE location = 'London' AND age >= 50";
    assert_eq!(run(&by(ShardKey::Location, 10), london50).plan.touched.len(), 1);
    assert_eq!(run(&by(ShardKey::IdHash, 10), london50).plan.touched.len(), 10);
    let point = "SELECT * FROM users WHERE id = 1234";
    for key in [ShardKey::IdHash, ShardKey::Ring, ShardKey::IdRange] {
        let o = run(&by(key, 10), point);
        assert_eq!((o.plan.routing, o.rows_scanned), (Routing::SingleShard, 1), "{key}");
    }
    // The notes: 10 partitions of the table by id range, each a tenth of the users.
    let c = by(ShardKey::IdRange, 10);
    assert!(c.census.users.iter().all(|&n| n == USERS / 10));
}
