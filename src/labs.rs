//! The registry: every lab, listed once. Each line names the lab's variant, its key (the `lab` field of
//! a scenario, storage keys, test ids, addresses) and the type implementing `scenario::Lab` in its own
//! folder under `src/sim/`; its page implements `ui::lab::LabPage` under `src/ui/`. Everything that
//! depends on which labs exist (the scenario's format and run, `LabId`, the reducer, the navigation,
//! autosave, `sysplay run` and `sysplay presets`) is generated from this list. The order is the
//! navigation's. Adding a lab: see ARCHITECTURE.md.

crate::registry! {
    #[cfg(feature = "lab-hashing")] Hashing = "hashing" => crate::sim::hashing::Hashing,
    #[cfg(feature = "lab-queue")] Queue = "queue" => crate::sim::queue::MessageQueue,
    #[cfg(feature = "lab-stream")] Stream = "stream" => crate::sim::stream::PartitionedLog,
    #[cfg(feature = "lab-pubsub")] Pubsub = "pubsub" => crate::sim::pubsub::PubSub,
    #[cfg(feature = "lab-sharding")] Sharding = "sharding" => crate::sim::sharding::Sharding,
    #[cfg(feature = "lab-caching")] Caching = "caching" => crate::sim::cache::Caching,
    #[cfg(feature = "lab-events")] Events = "events" => crate::sim::events::Events,
    #[cfg(feature = "lab-scaling")] Scaling = "scaling" => crate::sim::scaling::Scaling,
    #[cfg(feature = "lab-resilience")] Resilience = "resilience" => crate::sim::resilience::Resilience,
}

/// Generates, from the list of labs, the types and the dispatch that depend on it.
#[macro_export]
#[doc(hidden)]
macro_rules! registry {
    ($(#[$on:meta] $variant:ident = $key:literal => $lab:ty),* $(,)?) => {
        use $crate::scenario::{ActionTime, Finished, Lab, Registered};

        /// A lab, its starting configuration and the actions recorded on it: the `lab`, `config` and
        /// `actions` fields of a scenario.
        #[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(tag = "lab")]
        pub enum LabSetup {
            $(
                #[$on]
                #[serde(rename = $key)]
                $variant {
                    config: <$lab as Lab>::Config,
                    actions: Vec<(ActionTime, <$lab as Lab>::Action)>,
                },
            )*
        }

        /// Every lab of the product, in the order of the navigation, whether or not this build holds its
        /// code (each lab's page is built on its own: the navigation links to the others): its key, title and summary.
        pub const DIRECTORY: &[(&str, &str, &str)] = &[$(($key, <$lab as Lab>::TITLE, <$lab as Lab>::SUMMARY),)*];

        /// The labs this build holds.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum LabId {
            $(#[$on] $variant,)*
        }

        impl LabId {
            /// Every lab, in the order of the navigation.
            pub const ALL: &'static [LabId] = &[$(#[$on] LabId::$variant,)*];

            /// A short stable name (scenario files, storage keys, test ids).
            pub fn key(self) -> &'static str {
                match self {
                    $(#[$on] LabId::$variant => $key,)*
                }
            }

            /// The lab with this key.
            pub fn from_key(key: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|l| l.key() == key)
            }

            /// Its name in the navigation.
            pub fn title(self) -> &'static str {
                match self {
                    $(#[$on] LabId::$variant => <$lab as Lab>::TITLE,)*
                }
            }

            /// True when its actions happen at a virtual time (it has a timeline).
            pub fn timed(self) -> bool {
                match self {
                    $(#[$on] LabId::$variant => <$lab as Lab>::TIMED,)*
                }
            }

            /// Calls `v` with this lab's type.
            pub fn visit<V: LabVisitor>(self, v: V) -> V::Out {
                match self {
                    $(#[$on] LabId::$variant => v.visit::<$lab>(),)*
                }
            }
        }

        #[cfg(target_arch = "wasm32")]
        impl LabId {
            /// The lab's page.
            pub fn page(self, props: $crate::ui::lab::PageProps) -> yew::Html {
                match self {
                    $(#[$on] LabId::$variant => <$lab as $crate::ui::lab::LabPage>::page(props),)*
                }
            }
        }

        impl LabSetup {
            /// Which lab this setup is for.
            pub fn lab(&self) -> LabId {
                match self {
                    $(#[$on] LabSetup::$variant { .. } => LabId::$variant,)*
                }
            }
        }

        $(
            #[$on]
            impl Registered for $lab {
                const ID: LabId = LabId::$variant;
                fn setup_of(setup: &LabSetup) -> Option<(&Self::Config, &[(ActionTime, Self::Action)])> {
                    #[allow(unreachable_patterns)]
                    match setup {
                        LabSetup::$variant { config, actions } => Some((config, actions)),
                        _ => None,
                    }
                }
                fn setup_of_mut(
                    setup: &mut LabSetup,
                ) -> Option<(&mut Self::Config, &mut Vec<(ActionTime, Self::Action)>)> {
                    #[allow(unreachable_patterns)]
                    match setup {
                        LabSetup::$variant { config, actions } => Some((config, actions)),
                        _ => None,
                    }
                }
                fn wrap(config: Self::Config, actions: Vec<(ActionTime, Self::Action)>) -> LabSetup {
                    LabSetup::$variant { config, actions }
                }
            }
        )*

        /// A scenario replayed to its end (or to a moment).
        #[derive(Debug)]
        pub enum LabRun {
            $(#[$on] $variant(Box<Finished<$lab>>),)*
        }

        impl LabRun {
            /// The lab's report.
            pub fn report(&self) -> Report {
                match self {
                    $(#[$on] LabRun::$variant(run) => Report::$variant(Box::new(run.report.clone())),)*
                }
            }

            /// A fingerprint of the run's numbers: the same scenario gives the same digest natively and
            /// in wasm, and adding fields to a report does not change it.
            pub fn digest(&self) -> u64 {
                match self {
                    $(#[$on] LabRun::$variant(run) => run.digest(),)*
                }
            }

            /// Invariants the run broke.
            pub fn violations(&self) -> &[String] {
                match self {
                    $(#[$on] LabRun::$variant(run) => &run.violations,)*
                }
            }

            /// Extra figures the command line prints beside the report.
            pub fn extra_json(&self) -> serde_json::Value {
                match self {
                    $(#[$on] LabRun::$variant(run) => <$lab as Lab>::extra_json(&run.sim),)*
                }
            }
        }

        /// A lab's report, printed as JSON by the command line.
        #[derive(Clone, Debug, PartialEq, serde::Serialize)]
        #[serde(tag = "lab")]
        pub enum Report {
            $(#[$on] #[serde(rename = $key)] $variant(Box<<$lab as Lab>::Report>),)*
        }

        /// Wraps a finished run of a registered lab.
        pub fn lab_run<L: Registered>(run: Finished<L>) -> LabRun {
            // The registry knows the concrete types: downcast through `Any` once per run.
            let any: Box<dyn std::any::Any> = Box::new(run);
            match L::ID {
                $(#[$on] LabId::$variant => LabRun::$variant(
                    any.downcast::<Finished<$lab>>().expect("the registry's id matches its type"),
                ),)*
            }
        }
    };
}

/// Something done with a lab's type, chosen at run time by `LabId::visit`.
pub trait LabVisitor {
    type Out;
    fn visit<L: crate::scenario::Registered>(self) -> Self::Out;
}
