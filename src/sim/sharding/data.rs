//! The lab's two tables, `users(id, name, email, age, location)` and `orders(order_id, user_id, amount)`,
//! as pure functions of (seed, id): every field is a splitmix64 stream element keyed by the seed and the
//! field, so ten million users need no memory and any row can be produced on demand, the same natively
//! and in wasm. Rows are materialised only for the few a query returns.

use crate::sim::hash::splitmix64;
use serde::{Deserialize, Serialize};

/// The cities a user can live in, in the order a skewed draw favours them (London the most).
pub const CITIES: [&str; 12] = [
    "London",
    "New York",
    "Tokyo",
    "Paris",
    "Berlin",
    "Mumbai",
    "Sao Paulo",
    "Sydney",
    "Toronto",
    "Lagos",
    "Cairo",
    "Singapore",
];

/// Youngest user.
pub const AGE_MIN: u32 = 18;
/// Oldest user.
pub const AGE_MAX: u32 = 90;

const FIRST_NAMES: [&str; 16] = [
    "Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj", "Olivia",
    "Peggy", "Rupert", "Sybil",
];
const LAST_NAMES: [&str; 16] = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright", "Khan", "Lee",
    "Walker", "Evans", "Green", "Hall",
];

/// Smallest and largest order amount, in cents.
pub const AMOUNT_CENTS_MIN: u64 = 100;
pub const AMOUNT_CENTS_MAX: u64 = 50_000;

/// Limits on the data a user can ask for.
pub mod limits {
    /// Most users (the notes' ten million).
    pub const USERS_MAX: u64 = 10_000_000;
    /// Most orders one user can have (so a join over ten million users fits the work budget: `budget.rs`).
    pub const ORDERS_PER_USER_MAX: u32 = 4;
    /// Largest Zipf exponent for the cities, in thousandths.
    pub const ZIPF_S_MILLI_MAX: u32 = 3_000;
}

/// How users spread over [`CITIES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CitySkew {
    /// Every city equally likely.
    Uniform,
    /// City k (1-based, in list order) with probability proportional to 1 / k^s, s in thousandths.
    Zipf { s_milli: u32 },
}

/// What the tables hold: the number of users, how they spread over cities, and orders per user.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DataConfig {
    /// Users, with ids 1..=users.
    pub users: u64,
    pub cities: CitySkew,
    /// Each user has 0..=this many orders, uniformly.
    pub orders_per_user_max: u32,
}

impl Default for DataConfig {
    /// The notes' table: ten thousand users here (the 10-million preset is [`DataConfig::notes_10m`]).
    fn default() -> Self {
        Self { users: 10_000, cities: CitySkew::Zipf { s_milli: 1_000 }, orders_per_user_max: 3 }
    }
}

impl DataConfig {
    /// The notes' ten million users.
    pub fn notes_10m() -> Self {
        Self { users: limits::USERS_MAX, ..Self::default() }
    }

    /// Refuses anything outside the limits, with a sentence saying which.
    pub fn validate(&self) -> Result<(), String> {
        crate::sim::check_range("the number of users", self.users, 1, limits::USERS_MAX)?;
        crate::sim::check_range(
            "orders per user (the most)",
            u64::from(self.orders_per_user_max),
            0,
            u64::from(limits::ORDERS_PER_USER_MAX),
        )?;
        if let CitySkew::Zipf { s_milli } = self.cities {
            crate::sim::check_range(
                "the city skew (Zipf exponent in thousandths)",
                u64::from(s_milli),
                0,
                u64::from(limits::ZIPF_S_MILLI_MAX),
            )?;
        }
        Ok(())
    }
}

/// One user row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub age: u32,
    pub location: String,
}

/// One order row; its amount is in cents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub order_id: u64,
    pub user_id: u64,
    pub amount: u64,
}

// Field tags: each field is its own splitmix64 stream.
const TAG_AGE: u64 = 0xA6E;
const TAG_CITY: u64 = 0xC17;
const TAG_NAME: u64 = 0x4A3E;
const TAG_ORDERS: u64 = 0x0D35;
const TAG_AMOUNT: u64 = 0xA307;
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The tables of one seed and configuration. Cheap to build (a dozen thresholds); every row is computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dataset {
    users: u64,
    orders_max: u32,
    keys: [u64; 5],
    /// `city_bounds[k]`: hashes below it (and at or above the previous bound) live in city k; the last
    /// city takes every hash at or above the second-to-last bound.
    city_bounds: [u64; CITIES.len()],
}

impl Dataset {
    /// The tables of `config` under `seed` (the configuration is checked).
    pub fn new(seed: u64, config: &DataConfig) -> Result<Self, String> {
        config.validate()?;
        let key = |tag: u64| splitmix64(seed ^ splitmix64(tag));
        Ok(Self {
            users: config.users,
            orders_max: config.orders_per_user_max,
            keys: [key(TAG_AGE), key(TAG_CITY), key(TAG_NAME), key(TAG_ORDERS), key(TAG_AMOUNT)],
            city_bounds: city_bounds(config.cities),
        })
    }

    /// Number of users (ids 1..=users).
    pub fn users(&self) -> u64 {
        self.users
    }

    /// Most orders one user has.
    pub fn orders_per_user_max(&self) -> u32 {
        self.orders_max
    }

    #[inline]
    fn field(&self, which: usize, id: u64) -> u64 {
        splitmix64(self.keys[which].wrapping_add(id.wrapping_mul(GOLDEN)))
    }

    /// Age of user `id`, uniform in `AGE_MIN..=AGE_MAX`.
    #[inline]
    pub fn age(&self, id: u64) -> u32 {
        AGE_MIN + (self.field(0, id) % u64::from(AGE_MAX - AGE_MIN + 1)) as u32
    }

    /// Index in [`CITIES`] of user `id`'s city.
    #[inline]
    pub fn city(&self, id: u64) -> usize {
        let h = self.field(1, id);
        self.city_bounds[..CITIES.len() - 1].iter().position(|&b| h < b).unwrap_or(CITIES.len() - 1)
    }

    /// User `id`'s city.
    pub fn location(&self, id: u64) -> &'static str {
        CITIES[self.city(id)]
    }

    fn name_parts(&self, id: u64) -> (&'static str, &'static str) {
        let h = self.field(2, id);
        (FIRST_NAMES[(h & 15) as usize], LAST_NAMES[((h >> 4) & 15) as usize])
    }

    /// User `id`'s name, "First Last" (not unique).
    pub fn name(&self, id: u64) -> String {
        let (first, last) = self.name_parts(id);
        format!("{first} {last}")
    }

    /// User `id`'s email, unique: "first.last{id}@example.com".
    pub fn email(&self, id: u64) -> String {
        let (first, last) = self.name_parts(id);
        format!("{}.{}{id}@example.com", first.to_lowercase(), last.to_lowercase())
    }

    /// The whole row of user `id`.
    pub fn user(&self, id: u64) -> User {
        User { id, name: self.name(id), email: self.email(id), age: self.age(id), location: self.location(id).into() }
    }

    /// Number of orders of user `id`, uniform in `0..=orders_per_user_max`.
    #[inline]
    pub fn order_count(&self, id: u64) -> u32 {
        (self.field(3, id) % u64::from(self.orders_max + 1)) as u32
    }

    /// Order ids are `(user_id - 1) × orders_per_user_max + j + 1` for the user's j-th order: unique,
    /// increasing with the user, and each order's user follows from its id.
    #[inline]
    pub fn order_id(&self, user_id: u64, j: u32) -> u64 {
        (user_id - 1) * u64::from(self.orders_max) + u64::from(j) + 1
    }

    /// Amount of order `order_id`, in cents.
    #[inline]
    pub fn amount(&self, order_id: u64) -> u64 {
        AMOUNT_CENTS_MIN + self.field(4, order_id) % (AMOUNT_CENTS_MAX - AMOUNT_CENTS_MIN + 1)
    }

    /// User `id`'s orders, by order id.
    pub fn orders_of(&self, user_id: u64) -> impl Iterator<Item = Order> + '_ {
        (0..self.order_count(user_id)).map(move |j| {
            let order_id = self.order_id(user_id, j);
            Order { order_id, user_id, amount: self.amount(order_id) }
        })
    }

    /// The order with id `order_id`, if it exists.
    pub fn order(&self, order_id: u64) -> Option<Order> {
        if order_id == 0 || self.orders_max == 0 {
            return None;
        }
        let m = u64::from(self.orders_max);
        let (user_id, j) = ((order_id - 1) / m + 1, ((order_id - 1) % m) as u32);
        (user_id <= self.users && j < self.order_count(user_id)).then(|| Order {
            order_id,
            user_id,
            amount: self.amount(order_id),
        })
    }

    /// Each city's probability: its share of the hash space, exactly as drawn.
    pub fn city_shares(&self) -> [f64; CITIES.len()] {
        let two64 = 2f64.powi(64);
        let mut out = [0.0; CITIES.len()];
        let mut prev = 0u64;
        for (k, share) in out.iter_mut().enumerate() {
            let bound = if k + 1 == CITIES.len() { None } else { Some(self.city_bounds[k]) };
            *share = match bound {
                Some(b) => (b - prev) as f64 / two64,
                None => (two64 - prev as f64) / two64,
            };
            prev = bound.unwrap_or(prev);
        }
        out
    }

    /// Each city's share of the hash space in 2^-64 units (the last city takes the rounding), for exact
    /// integer balancing.
    pub(crate) fn city_weights(&self) -> [u128; CITIES.len()] {
        let mut out = [0u128; CITIES.len()];
        let mut prev = 0u128;
        for (k, w) in out.iter_mut().enumerate() {
            let b = if k + 1 == CITIES.len() { 1u128 << 64 } else { u128::from(self.city_bounds[k]) };
            *w = b - prev;
            prev = b;
        }
        out
    }
}

/// Index of a city by name (exact, case-sensitive, as SQL's `=` compares).
pub fn city_index(name: &str) -> Option<usize> {
    CITIES.iter().position(|&c| c == name)
}

/// The cumulative hash bounds of each city under `skew` (weights with `libm`'s `pow`, pinned).
fn city_bounds(skew: CitySkew) -> [u64; CITIES.len()] {
    let weights: Vec<f64> = (1..=CITIES.len())
        .map(|k| match skew {
            CitySkew::Uniform => 1.0,
            CitySkew::Zipf { s_milli } => 1.0 / libm::pow(k as f64, f64::from(s_milli) / 1000.0),
        })
        .collect();
    let total: f64 = weights.iter().sum();
    let mut bounds = [u64::MAX; CITIES.len()];
    let mut cum = 0.0;
    for (k, w) in weights.iter().enumerate().take(CITIES.len() - 1) {
        cum += w;
        // 2^64 × cum / total, below 2^64; monotone since the weights are positive.
        bounds[k] = ((cum / total) * 2f64.powi(64)).min(u64::MAX as f64) as u64;
    }
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(users: u64) -> Dataset {
        Dataset::new(7, &DataConfig { users, ..DataConfig::default() }).unwrap()
    }

    #[test]
    fn fields_are_pure_functions_of_seed_and_id() {
        let (a, b) = (data(1000), data(1000));
        for id in 1..=1000 {
            assert_eq!(a.user(id), b.user(id));
            assert!((AGE_MIN..=AGE_MAX).contains(&a.age(id)));
            assert_eq!(a.user(id).location, CITIES[a.city(id)]);
        }
        let other = Dataset::new(8, &DataConfig { users: 1000, ..DataConfig::default() }).unwrap();
        assert!((1..=1000).any(|id| other.user(id) != a.user(id)));
        // The number of users changes no row: a table of 10 is the first 10 rows of a table of 1000.
        assert_eq!(data(10).user(7), a.user(7));
    }

    #[test]
    fn emails_are_unique_and_names_repeat() {
        let d = data(2000);
        let mut emails: Vec<String> = (1..=2000).map(|id| d.email(id)).collect();
        emails.sort();
        emails.dedup();
        assert_eq!(emails.len(), 2000);
        let mut names: Vec<String> = (1..=2000).map(|id| d.name(id)).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), FIRST_NAMES.len() * LAST_NAMES.len());
    }

    #[test]
    fn orders_follow_their_ids_back() {
        let d = data(500);
        let mut total = 0;
        for u in 1..=500 {
            for o in d.orders_of(u) {
                assert_eq!(d.order(o.order_id), Some(o));
                assert!((AMOUNT_CENTS_MIN..=AMOUNT_CENTS_MAX).contains(&o.amount));
                total += 1;
            }
        }
        let max_id = 500 * u64::from(d.orders_per_user_max());
        assert_eq!((0..=max_id + 10).filter_map(|id| d.order(id)).count(), total);
        assert!(total > 500, "about 1.5 orders per user");
    }

    #[test]
    fn city_draws_follow_the_zipf_weights() {
        // 200,000 users; each city's count within 5 standard deviations of its binomial mean.
        let d = data(200_000);
        let mut counts = [0u64; CITIES.len()];
        for id in 1..=200_000 {
            counts[d.city(id)] += 1;
        }
        let h: f64 = (1..=12).map(|k| 1.0 / k as f64).sum();
        for (k, (&c, share)) in counts.iter().zip(d.city_shares()).enumerate() {
            let p = 1.0 / (k as f64 + 1.0) / h;
            assert!((share - p).abs() < 1e-12, "{k}: {share} vs {p}");
            let sd = (200_000.0 * p * (1.0 - p)).sqrt();
            assert!((c as f64 - 200_000.0 * p).abs() < 5.0 * sd, "{k}: {c}");
        }
        let w: u128 = d.city_weights().iter().sum();
        assert_eq!(w, 1u128 << 64);
    }

    #[test]
    fn limits_are_sentences() {
        let e = DataConfig { users: 0, ..DataConfig::default() }.validate().unwrap_err();
        assert!(e.contains("users") && e.contains("10000000"), "{e}");
        let e = DataConfig { orders_per_user_max: 9, ..DataConfig::default() }.validate().unwrap_err();
        assert!(e.contains("orders"), "{e}");
    }
}
