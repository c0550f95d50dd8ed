//! Vertical partitioning beside horizontal. The notes split `User(id, name, email, age)` by columns into
//! `User_db1(id, name)` and `User_db2(id, email, age)`; the lab's table also has a location, which gets a
//! group of its own, `(id, location)`. Each group lives on its own server and holds every user, its
//! columns only; every group keeps the id, to put the rows back together.
//!
//! What a query reads there, exactly, by the access rules a shard follows (`router.rs`):
//! - Each group holding a column the conditions test (other than the id) filters: it reads its
//!   candidates by the cheapest of the primary key (the id is bounded: the ids in range), the age index
//!   (the group with the age, when the index exists and the age is bounded: the users of those ages in
//!   the whole table) and a full scan (every user), and sends the ids passing its own conditions.
//! - With no such condition, the first group the query reads drives alone, the same way.
//! - Every other group the query reads is then read by primary key, for the matching users only.
//!
//! Split by rows instead (sharding), the shards asked read whole rows: every column of each row read.

use super::router::Access;
use super::sql::Query;
use serde::{Deserialize, Serialize};

/// The users columns, in table order.
pub const USER_COLUMNS: [&str; 5] = ["id", "name", "email", "age", "location"];

/// The column groups: the notes' `(id, name)` and `(id, email, age)`, and `(id, location)`.
pub const COLUMN_GROUPS: [&[&str]; 3] = [&["id", "name"], &["id", "email", "age"], &["id", "location"]];

/// The column groups a query must read from the vertically partitioned users table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerticalPlan {
    /// Indices into [`COLUMN_GROUPS`] the query must read.
    pub groups: Vec<usize>,
    /// More than one group: the rows are put back together by id.
    pub joins_groups_on_id: bool,
}

/// The column groups holding `columns` (users columns by name); only `id` (or nothing, as for
/// `count(*)`) reads the smallest group, the first.
pub fn vertical_plan(columns: &[&str]) -> VerticalPlan {
    let mut groups: Vec<usize> = columns.iter().filter_map(|c| group_of(c)).collect();
    groups.sort_unstable();
    groups.dedup();
    if groups.is_empty() {
        groups.push(0);
    }
    VerticalPlan { joins_groups_on_id: groups.len() > 1, groups }
}

/// The group holding a users column other than the id.
fn group_of(column: &str) -> Option<usize> {
    if column == "id" { None } else { COLUMN_GROUPS.iter().position(|g| g.contains(&column)) }
}

/// One column group's reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRead {
    /// Index into [`COLUMN_GROUPS`].
    pub group: usize,
    /// It tests the conditions (else it is read by id for the matching users).
    pub filters: bool,
    pub access: Access,
    pub rows: u64,
}

/// What a query reads from the users table split by columns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerticalWork {
    /// The groups read, in group order.
    pub reads: Vec<GroupRead>,
    pub rows_read: u64,
    /// Values read: each row read times its group's columns.
    pub cells_read: u64,
    pub joins_groups_on_id: bool,
}

/// What the same query reads from the users table split by rows (the shards asked).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HorizontalWork {
    pub shards_asked: u32,
    pub shards: u32,
    pub rows_read: u64,
    /// Whole rows: every column of each row read.
    pub cells_read: u64,
}

/// The users table split by rows and by columns, side by side, for one query (its orders are read
/// the same way in both).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideBySide {
    pub horizontal: HorizontalWork,
    pub vertical: VerticalWork,
}

/// What the table, the index and the query's matches come to, for [`vertical_work`].
#[derive(Clone, Copy, Debug)]
pub struct TableFacts {
    pub users: u64,
    /// Users whose id the conditions' bounds allow, when they bound it.
    pub ids_in_range: Option<u64>,
    /// Users of the ages the conditions' bounds allow (whole table), when they bound the age.
    pub ages_in_range: Option<u64>,
    pub age_index: bool,
    /// Users passing every users condition.
    pub matched: u64,
}

/// What `query` reads from the users table split by columns (the rules in the module header).
pub fn vertical_work(query: &Query, t: TableFacts) -> VerticalWork {
    let read: Vec<&str> = query.columns_read().into_iter().filter(|c| !c.in_orders()).map(|c| c.name()).collect();
    let plan = vertical_plan(&read);
    let tested: Vec<&str> = query.conds.iter().filter(|c| !c.column.in_orders()).map(|c| c.column.name()).collect();
    let mut filtering: Vec<usize> = tested.iter().filter_map(|c| group_of(c)).collect();
    if filtering.is_empty() {
        filtering.push(plan.groups[0]);
    }
    let reads: Vec<GroupRead> = plan
        .groups
        .iter()
        .map(|&group| {
            if !filtering.contains(&group) {
                return GroupRead { group, filters: false, access: Access::PrimaryKey, rows: t.matched };
            }
            let mut options = vec![(Access::FullScan, t.users)];
            if let Some(ages) = t.ages_in_range.filter(|_| t.age_index && COLUMN_GROUPS[group].contains(&"age")) {
                options.insert(0, (Access::AgeIndex, ages));
            }
            if let Some(ids) = t.ids_in_range {
                options.insert(0, (Access::PrimaryKey, ids));
            }
            let (access, rows) = options.into_iter().min_by_key(|&(_, rows)| rows).expect("a full scan at least");
            GroupRead { group, filters: true, access, rows }
        })
        .collect();
    let rows_read = reads.iter().map(|r| r.rows).sum();
    let cells_read = reads.iter().map(|r| r.rows * COLUMN_GROUPS[r.group].len() as u64).sum();
    VerticalWork { reads, rows_read, cells_read, joins_groups_on_id: plan.joins_groups_on_id }
}

/// What the shards asked read, as whole rows.
pub fn horizontal_work(shards_asked: u32, shards: u32, rows_read: u64) -> HorizontalWork {
    HorizontalWork { shards_asked, shards, rows_read, cells_read: rows_read * USER_COLUMNS.len() as u64 }
}

#[cfg(test)]
mod tests {
    use super::super::sql::parse;
    use super::*;

    #[test]
    fn vertical_groups_of_a_query() {
        assert_eq!(vertical_plan(&["id", "name"]).groups, vec![0]);
        assert_eq!(vertical_plan(&["age"]).groups, vec![1]);
        let p = vertical_plan(&["name", "age", "location"]);
        assert_eq!((p.groups, p.joins_groups_on_id), (vec![0, 1, 2], true));
        assert_eq!(vertical_plan(&[]).groups, vec![0]);
    }

    fn facts(matched: u64) -> TableFacts {
        TableFacts { users: 1_000, ids_in_range: None, ages_in_range: None, age_index: false, matched }
    }

    #[test]
    fn a_filter_scans_its_group_and_the_others_are_read_by_id() {
        // London users' names and emails: the location group scans, the other two read the 300 matches.
        let q = parse("SELECT name, email FROM users WHERE location = 'London'").unwrap();
        let w = vertical_work(&q, facts(300));
        let got: Vec<_> = w.reads.iter().map(|r| (r.group, r.filters, r.access, r.rows)).collect();
        assert_eq!(
            got,
            vec![
                (0, false, Access::PrimaryKey, 300),
                (1, false, Access::PrimaryKey, 300),
                (2, true, Access::FullScan, 1_000)
            ]
        );
        assert_eq!((w.rows_read, w.cells_read, w.joins_groups_on_id), (1_600, 300 * 2 + 300 * 3 + 1_000 * 2, true));
    }

    #[test]
    fn count_reads_only_the_smallest_group() {
        let w = vertical_work(&parse("SELECT count(*) FROM users").unwrap(), facts(1_000));
        assert_eq!((w.reads.len(), w.rows_read, w.cells_read, w.joins_groups_on_id), (1, 1_000, 2_000, false));
    }

    #[test]
    fn bounds_pick_the_cheapest_access() {
        let q = parse("SELECT * FROM users WHERE id >= 10 AND id < 30 AND age >= 50").unwrap();
        let t = TableFacts { ids_in_range: Some(20), ages_in_range: Some(400), age_index: true, ..facts(7) };
        let w = vertical_work(&q, t);
        let got: Vec<_> = w.reads.iter().map(|r| (r.group, r.filters, r.access, r.rows)).collect();
        // The age group filters by the id range (20 < 400); name and location are read for the 7 matches.
        assert_eq!(
            got,
            vec![
                (0, false, Access::PrimaryKey, 7),
                (1, true, Access::PrimaryKey, 20),
                (2, false, Access::PrimaryKey, 7)
            ]
        );
        let q = parse("SELECT email FROM users WHERE age >= 50").unwrap();
        let t = TableFacts { ages_in_range: Some(400), age_index: true, ..facts(400) };
        assert_eq!(vertical_work(&q, t).reads[0].access, Access::AgeIndex);
        let t = TableFacts { ages_in_range: Some(400), age_index: false, ..facts(400) };
        assert_eq!(vertical_work(&q, t).reads[0].access, Access::FullScan);
    }

    #[test]
    fn whole_rows_when_split_by_rows() {
        assert_eq!(
            horizontal_work(1, 10, 1_000),
            HorizontalWork { shards_asked: 1, shards: 10, rows_read: 1_000, cells_read: 5_000 }
        );
    }
}
