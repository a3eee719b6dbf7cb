//! The JSON shape of an analysis (field names are a public contract; see `docs/analysis.md`).

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use super::{Analysis, Availability, Capacity, Scenario, SiteAnalysis};

/// A finite float, or null (the nines of a certain event are infinite).
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl Serialize for Analysis {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("max_failures", &self.max_failures)?;
        m.serialize_entry("minutes_per_month", &super::MINUTES_PER_MONTH)?;
        m.serialize_entry(
            "inputs",
            &serde_json::json!({
                "gateway_instance": self.inputs.gateway_instance,
                "device": self.inputs.device,
                "isp": self.inputs.isp,
                "tunnel": self.inputs.tunnel,
                "zone": self.inputs.zone,
            }),
        )?;
        m.serialize_entry("defaulted", &self.defaulted)?;
        m.serialize_entry(
            "ecmp",
            &serde_json::json!({
                "algorithm": self.algorithm.name(),
                "seed": self.seed,
                "flow_sample": self.flow_sample,
            }),
        )?;
        m.serialize_entry("sites", &self.sites)?;
        m.end()
    }
}

impl Serialize for Availability {
    /// `{"availability", "unavailability", "nines", "downtime_minutes_per_month"}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        availability_entries(&mut m, self)?;
        m.end()
    }
}

/// The four entries of an [`Availability`], written into a map under way: capacities and
/// sites carry them flat, beside their own fields, in this order.
fn availability_entries<M: SerializeMap>(m: &mut M, a: &Availability) -> Result<(), M::Error> {
    m.serialize_entry("availability", &a.probability)?;
    m.serialize_entry("unavailability", &a.unavailability)?;
    m.serialize_entry("nines", &finite(a.nines()))?;
    m.serialize_entry(
        "downtime_minutes_per_month",
        &a.downtime_minutes_per_month(),
    )
}

impl Serialize for Capacity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(7))?;
        m.serialize_entry("share", &self.share)?;
        m.serialize_entry("min_tunnels", &self.min_tunnels)?;
        m.serialize_entry("tunnels", &self.tunnels)?;
        availability_entries(&mut m, &self.availability)?;
        m.end()
    }
}

impl Serialize for SiteAnalysis {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", &self.site.name)?;
        m.serialize_entry("pattern", &self.site.pattern.map(|p| p.name()))?;
        m.serialize_entry("verdict", self.verdict.name())?;
        let codes: Vec<&str> = self.reasons.iter().map(|r| r.reason.name()).collect();
        m.serialize_entry("reasons", &codes)?;
        let explained: Vec<_> = self
            .reasons
            .iter()
            .map(|r| serde_json::json!({"reason": r.reason.name(), "message": r.message}))
            .collect();
        m.serialize_entry("explanations", &explained)?;
        availability_entries(&mut m, &self.availability)?;
        m.serialize_entry("capacity", &self.capacity)?;
        m.serialize_entry("tunnels_up_distribution", self.tunnels_up.probabilities())?;
        m.serialize_entry("single_points_of_failure", &self.single_points_of_failure)?;
        m.serialize_entry("minimal_cut_sets", &self.minimal_cut_sets)?;
        m.serialize_entry("max_failures", &self.max_failures)?;
        let components: Vec<_> = self
            .components
            .iter()
            .map(|c| {
                serde_json::json!({
                    "name": c.name,
                    "kind": c.kind.name(),
                    "availability": c.availability,
                })
            })
            .collect();
        m.serialize_entry("components", &components)?;
        m.serialize_entry("notes", &self.notes)?;
        m.serialize_entry("scenarios", &Scenarios(self))?;
        m.end()
    }
}

/// The scenarios of a site, named through the site.
struct Scenarios<'a>(&'a SiteAnalysis);

impl Serialize for Scenarios<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.scenarios.len()))?;
        for sc in &self.0.scenarios {
            seq.serialize_element(&Named(self.0, sc))?;
        }
        seq.end()
    }
}

struct Named<'a>(&'a SiteAnalysis, &'a Scenario);

impl Serialize for Named<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Named(site, sc) = *self;
        let lost: Vec<&str> = sc
            .lost_tunnels
            .iter()
            .filter_map(|&i| site.site.tunnels.get(i).map(|t| t.id.as_str()))
            .collect();
        let causes: Vec<&str> = sc.interruption.causes.iter().map(|c| c.code()).collect();
        let mut m = s.serialize_map(Some(10))?;
        m.serialize_entry("failed", &sc.failed)?;
        m.serialize_entry("planned", &sc.planned)?;
        m.serialize_entry("surviving_tunnels", &site.surviving_tunnels(sc))?;
        m.serialize_entry("lost_tunnels", &lost)?;
        m.serialize_entry("reachable", &sc.reachable)?;
        m.serialize_entry("moved_share", &sc.moved_share)?;
        m.serialize_entry("affected_share", &sc.affected_share)?;
        m.serialize_entry("interruption_seconds", &sc.interruption.seconds)?;
        m.serialize_entry("assumption", &sc.interruption.to_string())?;
        m.serialize_entry("causes", &causes)?;
        m.end()
    }
}
