//! Failure and availability analysis: a handle holding the analysis of every site, read by
//! index or as a whole report in text or JSON.
//!
//! The handle keeps the core's [`Analysis`] for the reports and, beside it, every string C
//! may borrow as NUL-terminated text: per site, each distinct name (components, cause codes,
//! assumptions) is kept once and the lists hold indices into it, so that a site with a
//! million scenarios costs indices, not a million copies of its component names.

use std::collections::HashMap;
use std::ffi::c_char;
use std::sync::OnceLock;

use vpnha::Severity;
use vpnha::analysis::{Analysis, AnalysisOptions, Cause, Scenario, SiteAnalysis, Verdict};

use crate::ffi::{CText, Checked, Out, TextBuf, arg_ref, ffi_boundary, ffi_status};
use crate::status::vpnha_status;
use crate::topology::vpnha_topology;

/// The failure-set size `vpnha analyze` enumerates unless told otherwise: every single and
/// double failure.
pub const VPNHA_DEFAULT_MAX_FAILURES: usize = 2;

/// `vpnha_scenario.interruption_min_seconds` and `_max_seconds` of an outage: the site is cut
/// off until a failed component is repaired, and no duration is assumed.
pub const VPNHA_UNBOUNDED: u64 = 0xFFFF_FFFF_FFFF_FFFF;

/// The name the text report gives the topology (the parser's name for text in memory).
const INPUT_NAME: &str = "<input>";

/// The analysis of one site, as `vpnha_analysis_site` gives it. The strings are borrowed from
/// the analysis handle: valid, unchanged, until `vpnha_analysis_free`. Each is NUL-terminated
/// and also given with its length in bytes (without the NUL).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vpnha_site_analysis {
    /// The site's name; the site has the same index as in `vpnha_topology_site_name`.
    pub name: *const c_char,
    /// Length of `name` in bytes.
    pub name_len: usize,
    /// Its HA pattern: `active-standby`, `active-active`, `dual-redundancy`,
    /// `multi-device`, ...; empty when no tunnel reaches the site.
    pub pattern: *const c_char,
    /// Length of `pattern` in bytes.
    pub pattern_len: usize,
    /// `redundancy-met` or `redundancy-not-met` (stable names).
    pub verdict: *const c_char,
    /// Length of `verdict` in bytes.
    pub verdict_len: usize,
    /// The probability that the site is reachable, computed exactly.
    pub availability: f64,
    /// The probability that it is not, computed directly (not as 1 - availability), so high
    /// availabilities keep their precision.
    pub unavailability: f64,
    /// -log10(unavailability); infinity (HUGE_VAL) when no failure can cut the site off.
    pub nines: f64,
    /// The expected time the site is cut off, in minutes per average month (365.2425 days /
    /// 12).
    pub downtime_minutes_per_month: f64,
    /// The largest failure sets enumerated: the `max_failures` asked for, or the site's
    /// component count when that is smaller.
    pub max_failures: usize,
    /// The site's tunnels.
    pub tunnel_count: usize,
    /// Why redundancy is not met: 0 exactly when `redundancy_met`. Read each with
    /// `vpnha_analysis_reason`.
    pub reason_count: usize,
    /// The components whose failure alone cuts the site off. Read each with
    /// `vpnha_analysis_single_point_of_failure`.
    pub single_point_of_failure_count: usize,
    /// The minimal cut sets of at most `max_failures` components (a site without tunnels has
    /// one, the empty set). Read them with `vpnha_analysis_cut_set_size` and
    /// `vpnha_analysis_cut_set_component`.
    pub minimal_cut_set_count: usize,
    /// The scenarios: planned maintenance of each gateway instance first, then every failure
    /// set by size. Read each with `vpnha_analysis_scenario`.
    pub scenario_count: usize,
    /// Whether the site meets redundancy (`verdict` is `redundancy-met`).
    pub redundancy_met: bool,
}

/// Why a site does not meet redundancy, as `vpnha_analysis_reason` gives it. The strings are
/// borrowed from the analysis handle, as `vpnha_site_analysis`'s.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vpnha_redundancy_reason {
    /// The reason's stable kebab-case code, such as `single-device` or `no-bgp-failover`
    /// (never renamed).
    pub reason: *const c_char,
    /// Length of `reason` in bytes.
    pub reason_len: usize,
    /// What it means for this site and what to do, one line of English.
    pub message: *const c_char,
    /// Length of `message` in bytes.
    pub message_len: usize,
}

/// One failure set (or one planned maintenance) and what it does to a site, as
/// `vpnha_analysis_scenario` gives it. The strings are borrowed from the analysis handle, as
/// `vpnha_site_analysis`'s.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vpnha_scenario {
    /// The components failed (or the one maintained). Read each name with
    /// `vpnha_analysis_scenario_failed`.
    pub failed_count: usize,
    /// The site's tunnels that still carry traffic.
    pub surviving_tunnel_count: usize,
    /// The share of the site's flows that move to another tunnel (0 to 1), measured on a
    /// fixed sample of flows through the site's ECMP group; 0 when the site is cut off. NaN
    /// when not measured: the site has no tunnels, or more than VPNHA_MAX_TUNNELS.
    pub moved_share: f64,
    /// The share of the site's flows interrupted: moved, carried by a tunnel whose gateway
    /// end fails over in place, or cut off. NaN when not measured, as `moved_share`.
    pub affected_share: f64,
    /// The shortest expected interruption of the affected flows, in seconds; VPNHA_UNBOUNDED
    /// for an outage (`reachable` false).
    pub interruption_min_seconds: u64,
    /// The longest expected interruption, in seconds; VPNHA_UNBOUNDED for an outage.
    pub interruption_max_seconds: u64,
    /// The stable code of the cause that bounds the interruption (the longest, when several
    /// do): `unaffected`, `planned-maintenance`, `active-standby-failover`, `detection`,
    /// `outage` or `maintenance-outage`.
    pub cause: *const c_char,
    /// Length of `cause` in bytes.
    pub cause_len: usize,
    /// Every cause and the assumption behind its duration, in words, such as "planned
    /// maintenance: Azure restores connectivity within 10–15 s".
    pub assumption: *const c_char,
    /// Length of `assumption` in bytes.
    pub assumption_len: usize,
    /// Whether this is the planned maintenance of a gateway instance rather than a failure.
    pub planned: bool,
    /// Whether any tunnel survives: false is an outage.
    pub reachable: bool,
}

/// The failure and availability analysis of a topology's sites, made by
/// `vpnha_topology_analyze`. Opaque; freed by `vpnha_analysis_free`. Immutable to its callers:
/// may be read from any number of threads at once.
pub struct vpnha_analysis {
    analysis: Analysis,
    /// The error findings of the topology analysed, which the reports mention.
    validation_errors: usize,
    sites: Vec<SiteEntry>,
    /// The reports, made on first use (they can be large, and many callers read neither).
    text: OnceLock<String>,
    json: OnceLock<String>,
}

struct SiteEntry {
    name: CText,
    pattern: CText,
    verdict: CText,
    reasons: Vec<(CText, CText)>,
    /// Every distinct string the lists below borrow: component names, cause codes,
    /// assumptions.
    strings: Vec<CText>,
    /// Indices into `strings`.
    single_points_of_failure: Vec<usize>,
    /// Indices into `strings`.
    cut_sets: Vec<Box<[usize]>>,
    scenarios: Vec<ScenarioEntry>,
}

struct ScenarioEntry {
    /// Indices into the site's `strings`.
    failed: Box<[usize]>,
    surviving: usize,
    moved_share: f64,
    affected_share: f64,
    seconds: [u64; 2],
    /// Index into the site's `strings`.
    cause: usize,
    /// Index into the site's `strings`.
    assumption: usize,
    planned: bool,
    reachable: bool,
}

/// Keeps each distinct string once.
#[derive(Default)]
struct Strings {
    texts: Vec<CText>,
    index: HashMap<String, usize>,
    /// The assumption of each distinct list of causes, formatted once.
    assumptions: HashMap<Vec<Cause>, usize>,
}

impl Strings {
    fn id(&mut self, s: &str) -> usize {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.texts.len();
        self.texts.push(CText::new(s));
        self.index.insert(s.to_owned(), i);
        i
    }

    fn ids(&mut self, names: &[String]) -> Box<[usize]> {
        names.iter().map(|n| self.id(n)).collect()
    }
}

/// The cause whose upper bound is the interruption's: the longest, the first of equals.
fn bounding_cause(causes: &[Cause]) -> Option<Cause> {
    let hi = |c: &Cause| c.seconds().map_or(u64::MAX, |[_, hi]| hi);
    causes
        .iter()
        .copied()
        .reduce(|best, c| if hi(&c) > hi(&best) { c } else { best })
}

impl ScenarioEntry {
    fn new(site: &SiteAnalysis, sc: &Scenario, strings: &mut Strings) -> Self {
        let causes = &sc.interruption.causes;
        let cause = bounding_cause(causes).map_or("", Cause::code);
        let assumption = match strings.assumptions.get(causes) {
            Some(&i) => i,
            None => {
                let i = strings.id(&sc.interruption.to_string());
                strings.assumptions.insert(causes.clone(), i);
                i
            }
        };
        let [min, max] = sc.interruption.seconds.unwrap_or([VPNHA_UNBOUNDED; 2]);
        Self {
            failed: strings.ids(&sc.failed),
            surviving: site
                .site
                .tunnels
                .len()
                .saturating_sub(sc.lost_tunnels.len()),
            moved_share: sc.moved_share.unwrap_or(f64::NAN),
            affected_share: sc.affected_share.unwrap_or(f64::NAN),
            seconds: [min, max],
            cause: strings.id(cause),
            assumption,
            planned: sc.planned,
            reachable: sc.reachable,
        }
    }
}

impl SiteEntry {
    fn new(s: &SiteAnalysis) -> Self {
        let mut strings = Strings::default();
        // Component names first, in report order.
        for c in &s.components {
            strings.id(&c.name);
        }
        let single_points_of_failure = s
            .single_points_of_failure
            .iter()
            .map(|n| strings.id(n))
            .collect();
        let cut_sets = s.minimal_cut_sets.iter().map(|c| strings.ids(c)).collect();
        let scenarios = s
            .scenarios
            .iter()
            .map(|sc| ScenarioEntry::new(s, sc, &mut strings))
            .collect();
        Self {
            name: CText::new(&s.site.name),
            pattern: CText::new(s.site.pattern.map_or("", |p| p.name())),
            verdict: CText::new(s.verdict.name()),
            reasons: s
                .reasons
                .iter()
                .map(|r| (CText::new(r.reason.name()), CText::new(&r.message)))
                .collect(),
            strings: strings.texts,
            single_points_of_failure,
            cut_sets,
            scenarios,
        }
    }

    fn string(&self, i: usize) -> &CText {
        &self.strings[i]
    }
}

impl vpnha_analysis {
    fn new(analysis: Analysis, validation_errors: usize) -> Self {
        Self {
            sites: analysis.sites.iter().map(SiteEntry::new).collect(),
            analysis,
            validation_errors,
            text: OnceLock::new(),
            json: OnceLock::new(),
        }
    }

    fn site(&self, index: usize) -> Checked<(&SiteEntry, &SiteAnalysis)> {
        match (self.sites.get(index), self.analysis.sites.get(index)) {
            (Some(e), Some(s)) => Ok((e, s)),
            _ => Err(vpnha_status::VPNHA_OUT_OF_RANGE),
        }
    }

    /// The report `vpnha analyze` prints for the same topology, headed `<input>`.
    fn text(&self) -> &str {
        self.text.get_or_init(|| {
            self.analysis
                .text_report(INPUT_NAME)
                .with_validation_errors(self.validation_errors)
                .to_string()
        })
    }

    /// The document `vpnha analyze --format json` prints for the same topology, without its
    /// `file` field.
    fn json(&self) -> &str {
        self.json.get_or_init(|| {
            let mut doc = serde_json::Map::new();
            doc.insert(
                "validation_errors".to_owned(),
                self.validation_errors.into(),
            );
            // An analysis always serialises to an object.
            if let Ok(serde_json::Value::Object(rest)) = serde_json::to_value(&self.analysis) {
                doc.extend(rest);
            }
            // Serialising a JSON value cannot fail: its keys are strings.
            let mut text =
                serde_json::to_string_pretty(&serde_json::Value::Object(doc)).unwrap_or_default();
            text.push('\n');
            text
        })
    }
}

/// A borrowed name to C: its pointer, and its length when asked for.
///
/// # Safety
///
/// `out_len`, when given, must be valid for a write.
unsafe fn write_name(text: &CText, out: Out<*const c_char>, out_len: Option<Out<usize>>) {
    // SAFETY: the caller's promise.
    unsafe {
        out.write(text.as_ptr());
        if let Some(len) = out_len {
            len.write(text.as_str().len());
        }
    }
}

/// Analyses every site of the topology: each failure set of 1 to `max_failures` components
/// (VPNHA_DEFAULT_MAX_FAILURES is what `vpnha analyze` uses) and the planned maintenance of
/// each gateway instance, the single points of failure and minimal cut sets, the exact
/// availability from the file's per-component availabilities (else documented defaults),
/// and the redundancy verdict with its reasons. On success `*out_analysis` receives a new
/// handle, to be freed with `vpnha_analysis_free`.
///
/// A topology with error findings is analysed as written, as `vpnha analyze` does; the
/// reports note the number of errors (`vpnha_topology_validate` lists them).
///
/// Returns `VPNHA_ANALYSIS_FAILED` when the analysis cannot run: the topology has no sites,
/// `max_failures` is 0 or above the component count of its largest site, an availability in
/// the file is not in (0, 1], a site would need more than a million scenarios, or the gateway
/// has more instances than Azure allows.
///
/// The time and memory grow with the number of failure sets (components choose
/// `max_failures`, per site): milliseconds for the examples at 2. Give the calling thread
/// 256 KiB of stack, as for parsing.
///
/// # Safety
///
/// `topology` must be NULL or a live handle; `out_analysis` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_topology_analyze(
    topology: *const vpnha_topology,
    max_failures: usize,
    out_analysis: *mut *mut vpnha_analysis,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let t = unsafe { arg_ref(topology) }?;
        let out = Out::new(out_analysis)?;
        let options = AnalysisOptions::new().with_max_failures(max_failures);
        let analysis = t
            .topology
            .analyze_with(&options)
            .map_err(|_| vpnha_status::VPNHA_ANALYSIS_FAILED)?;
        let errors = t
            .topology
            .validate()
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let handle = Box::into_raw(Box::new(vpnha_analysis::new(analysis, errors)));
        // SAFETY: the caller's promise.
        unsafe { out.write(handle) };
        Ok(())
    })
}

/// Frees an analysis. NULL is a no-op. Strings borrowed from it must not be used afterwards.
///
/// # Safety
///
/// `analysis` must be NULL or a handle from `vpnha_topology_analyze` not freed before, and no
/// other call on it may be running.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_analysis_free(analysis: *mut vpnha_analysis) {
    ffi_boundary!((), {
        if !analysis.is_null() {
            // SAFETY: the caller's promise: a live handle made by `Box::into_raw`.
            drop(unsafe { Box::from_raw(analysis) });
        }
    });
}

/// The number of sites analysed: every site of the topology, numbered as
/// `vpnha_topology_site_count` numbers them (by name, sorted).
///
/// # Safety
///
/// `analysis` must be NULL or a live handle; `out_count` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_analysis_site_count(
    analysis: *const vpnha_analysis,
    out_count: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let a = unsafe { arg_ref(analysis) }?;
        let out = Out::new(out_count)?;
        // SAFETY: the caller's promise.
        unsafe { out.write(a.sites.len()) };
        Ok(())
    })
}

/// The analysis of site `site_index` (`0 .. count-1`) into `*out_site`: verdict, availability
/// and the sizes of its lists; its strings are borrowed from the handle.
///
/// # Safety
///
/// `analysis` must be NULL or a live handle; `out_site` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_analysis_site(
    analysis: *const vpnha_analysis,
    site_index: usize,
    out_site: *mut vpnha_site_analysis,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let a = unsafe { arg_ref(analysis) }?;
        let out = Out::new(out_site)?;
        let (e, s) = a.site(site_index)?;
        let site = vpnha_site_analysis {
            name: e.name.as_ptr(),
            name_len: e.name.as_str().len(),
            pattern: e.pattern.as_ptr(),
            pattern_len: e.pattern.as_str().len(),
            verdict: e.verdict.as_ptr(),
            verdict_len: e.verdict.as_str().len(),
            availability: s.availability.probability,
            unavailability: s.availability.unavailability,
            nines: s.availability.nines(),
            downtime_minutes_per_month: s.availability.downtime_minutes_per_month(),
            max_failures: s.max_failures,
            tunnel_count: s.site.tunnels.len(),
            reason_count: e.reasons.len(),
            single_point_of_failure_count: e.single_points_of_failure.len(),
            minimal_cut_set_count: e.cut_sets.len(),
            scenario_count: e.scenarios.len(),
            redundancy_met: s.verdict == Verdict::RedundancyMet,
        };
        // SAFETY: the caller's promise.
        unsafe { out.write(site) };
        Ok(())
    })
}

/// Reason `index` (`0 .. reason_count-1`) why site `site_index` does not meet redundancy,
/// into `*out_reason`; its strings are borrowed from the handle.
///
/// # Safety
///
/// `analysis` must be NULL or a live handle; `out_reason` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_analysis_reason(
    analysis: *const vpnha_analysis,
    site_index: usize,
    index: usize,
    out_reason: *mut vpnha_redundancy_reason,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let a = unsafe { arg_ref(analysis) }?;
        let out = Out::new(out_reason)?;
        let (e, _) = a.site(site_index)?;
        let (code, message) = e
            .reasons
            .get(index)
            .ok_or(vpnha_status::VPNHA_OUT_OF_RANGE)?;
        let reason = vpnha_redundancy_reason {
            reason: code.as_ptr(),
            reason_len: code.as_str().len(),
            message: message.as_ptr(),
            message_len: message.as_str().len(),
        };
        // SAFETY: the caller's promise.
        unsafe { out.write(reason) };
        Ok(())
    })
}

/// The name of single point of failure `index` (`0 .. single_point_of_failure_count-1`) of
/// site `site_index`: a component such as `hq-fw-a` (a device), `instance-0`, `standby`,
/// `zone:1`, `isp:isp-1` or `hq-a/0` (a tunnel). `*out_name` receives the NUL-terminated name,
/// borrowed from the handle, and `*out_name_len` (when not NULL) its length in bytes.
///
/// # Safety
///
/// `analysis` must be NULL or a live handle; `out_name` must be NULL or valid for a write;
/// `out_name_len` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_analysis_single_point_of_failure(
    analysis: *const vpnha_analysis,
    site_index: usize,
    index: usize,
    out_name: *mut *const c_char,
    out_name_len: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let a = unsafe { arg_ref(analysis) }?;
        let out = Out::new(out_name)?;
        let (e, _) = a.site(site_index)?;
        let &i = e
            .single_points_of_failure
            .get(index)
            .ok_or(vpnha_status::VPNHA_OUT_OF_RANGE)?;
        // SAFETY: the caller's promise.
        unsafe { write_name(e.string(i), out, Out::optional(out_name_len)) };
        Ok(())
    })
}

/// The number of components in minimal cut set `cut_set` (`0 .. minimal_cut_set_count-1`) of
/// site `site_index`: the failures that, together, cut the site off while any fewer of them
/// leave a path. Cut sets come smallest first.
///
/// # Safety
///
/// `analysis` must be NULL or a live handle; `out_count` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_analysis_cut_set_size(
    analysis: *const vpnha_analysis,
    site_index: usize,
    cut_set: usize,
    out_count: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let a = unsafe { arg_ref(analysis) }?;
        let out = Out::new(out_count)?;
        let (e, _) = a.site(site_index)?;
        let set = e
            .cut_sets
            .get(cut_set)
            .ok_or(vpnha_status::VPNHA_OUT_OF_RANGE)?;
        // SAFETY: the caller's promise.
        unsafe { out.write(set.len()) };
        Ok(())
    })
}

/// The name of component `index` (`0 .. size-1`) of minimal cut set `cut_set` of site
/// `site_index`, as `vpnha_analysis_single_point_of_failure` gives a name.
///
/// # Safety
///
/// As `vpnha_analysis_single_point_of_failure`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_analysis_cut_set_component(
    analysis: *const vpnha_analysis,
    site_index: usize,
    cut_set: usize,
    index: usize,
    out_name: *mut *const c_char,
    out_name_len: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let a = unsafe { arg_ref(analysis) }?;
        let out = Out::new(out_name)?;
        let (e, _) = a.site(site_index)?;
        let &i = e
            .cut_sets
            .get(cut_set)
            .and_then(|set| set.get(index))
            .ok_or(vpnha_status::VPNHA_OUT_OF_RANGE)?;
        // SAFETY: the caller's promise.
        unsafe { write_name(e.string(i), out, Out::optional(out_name_len)) };
        Ok(())
    })
}

/// Scenario `index` (`0 .. scenario_count-1`) of site `site_index` into `*out_scenario`: what
/// the failure (or maintenance) does to the site; its strings are borrowed from the handle.
///
/// # Safety
///
/// `analysis` must be NULL or a live handle; `out_scenario` must be NULL or valid for a
/// write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_analysis_scenario(
    analysis: *const vpnha_analysis,
    site_index: usize,
    index: usize,
    out_scenario: *mut vpnha_scenario,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let a = unsafe { arg_ref(analysis) }?;
        let out = Out::new(out_scenario)?;
        let (e, _) = a.site(site_index)?;
        let sc = e
            .scenarios
            .get(index)
            .ok_or(vpnha_status::VPNHA_OUT_OF_RANGE)?;
        let (cause, assumption) = (e.string(sc.cause), e.string(sc.assumption));
        let scenario = vpnha_scenario {
            failed_count: sc.failed.len(),
            surviving_tunnel_count: sc.surviving,
            moved_share: sc.moved_share,
            affected_share: sc.affected_share,
            interruption_min_seconds: sc.seconds[0],
            interruption_max_seconds: sc.seconds[1],
            cause: cause.as_ptr(),
            cause_len: cause.as_str().len(),
            assumption: assumption.as_ptr(),
            assumption_len: assumption.as_str().len(),
            planned: sc.planned,
            reachable: sc.reachable,
        };
        // SAFETY: the caller's promise.
        unsafe { out.write(scenario) };
        Ok(())
    })
}

/// The name of failed component `index` (`0 .. failed_count-1`) of scenario `scenario` of
/// site `site_index` (the instance maintained, for planned maintenance), as
/// `vpnha_analysis_single_point_of_failure` gives a name.
///
/// # Safety
///
/// As `vpnha_analysis_single_point_of_failure`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_analysis_scenario_failed(
    analysis: *const vpnha_analysis,
    site_index: usize,
    scenario: usize,
    index: usize,
    out_name: *mut *const c_char,
    out_name_len: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let a = unsafe { arg_ref(analysis) }?;
        let out = Out::new(out_name)?;
        let (e, _) = a.site(site_index)?;
        let &i = e
            .scenarios
            .get(scenario)
            .and_then(|sc| sc.failed.get(index))
            .ok_or(vpnha_status::VPNHA_OUT_OF_RANGE)?;
        // SAFETY: the caller's promise.
        unsafe { write_name(e.string(i), out, Out::optional(out_name_len)) };
        Ok(())
    })
}

/// The whole report as readable text, the one `vpnha analyze` prints (headed `<input>` for
/// the file name; the ten worst single failures per site): copies it and a NUL into `buf` and
/// its length without the NUL into `*out_len`.
///
/// Returns `VPNHA_BUFFER_TOO_SMALL` when `buf_len` is not above the length, writing nothing to
/// `buf` and the length to `*out_len`: call with `(NULL, 0)` to learn the size. The report is
/// made on the first call and kept with the handle.
///
/// # Safety
///
/// `analysis` must be NULL or a live handle, `buf` must point to `buf_len` writable bytes (or
/// be NULL when `buf_len` is 0), and `out_len` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_analysis_write_text(
    analysis: *const vpnha_analysis,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let a = unsafe { arg_ref(analysis) }?;
        let buf = TextBuf::new(buf, buf_len)?;
        let out_len = Out::new(out_len)?;
        // SAFETY: the caller's promise on the buffer and `out_len`.
        unsafe { buf.write_all(a.text(), out_len) }
    })
}

/// The whole analysis as JSON, every scenario included: the document `vpnha analyze --format
/// json` prints, byte for byte, without its `file` field (field names are stable; see
/// docs/analysis.md). Copies it and a NUL into `buf` and its length without the NUL into
/// `*out_len`; `VPNHA_BUFFER_TOO_SMALL` and the two-call pattern as
/// `vpnha_analysis_write_text`.
///
/// # Safety
///
/// As `vpnha_analysis_write_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_analysis_write_json(
    analysis: *const vpnha_analysis,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let a = unsafe { arg_ref(analysis) }?;
        let buf = TextBuf::new(buf, buf_len)?;
        let out_len = Out::new(out_len)?;
        // SAFETY: the caller's promise on the buffer and `out_len`.
        unsafe { buf.write_all(a.json(), out_len) }
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;
    use std::ptr::{null, null_mut};

    use vpnha::Topology;

    use super::*;
    use crate::topology::{VPNHA_FORMAT_YAML, vpnha_topology_free, vpnha_topology_parse};

    const DUAL: &str = include_str!("../../../examples/dual-redundancy.yaml");
    const STANDBY: &str = include_str!("../../../examples/active-standby.yaml");
    const BROKEN: &str = include_str!("../../../examples/broken-bgp.yaml");
    /// Three sites, one of them (`lonely`) without a connection.
    const THREE_SITES: &str = "version: 1
gateway: {sku: VpnGw2AZ, generation: Generation2, active_active: true,
          instances: [{public_ip: 192.0.2.1}, {public_ip: 192.0.2.2}]}
local_gateways:
  - {name: a, site: hq, gateway_ip: 203.0.113.1}
  - {name: b, site: branch, gateway_ip: 203.0.113.2}
  - {name: c, site: lonely, gateway_ip: 203.0.113.3}
connections: [{name: ca, local_gateway: a}, {name: cb, local_gateway: b}]
";

    /// A topology handle and its analysis, freed together.
    struct Analysed {
        topology: *mut vpnha_topology,
        analysis: *mut vpnha_analysis,
    }

    impl Drop for Analysed {
        fn drop(&mut self) {
            // SAFETY: both are live handles made below, freed once.
            unsafe {
                vpnha_analysis_free(self.analysis);
                vpnha_topology_free(self.topology);
            }
        }
    }

    fn topology(text: &str) -> *mut vpnha_topology {
        let mut t = null_mut();
        // SAFETY: the text with its length and a live output; no error buffer.
        let s = unsafe {
            vpnha_topology_parse(
                text.as_ptr().cast(),
                text.len(),
                VPNHA_FORMAT_YAML,
                &mut t,
                null_mut(),
                0,
                null_mut(),
            )
        };
        assert_eq!(s, vpnha_status::VPNHA_OK);
        t
    }

    fn analyse(text: &str, max_failures: usize) -> Analysed {
        let topology = topology(text);
        let mut analysis = null_mut();
        // SAFETY: a live handle and a live output.
        let s = unsafe { vpnha_topology_analyze(topology, max_failures, &mut analysis) };
        assert_eq!(s, vpnha_status::VPNHA_OK);
        Analysed { topology, analysis }
    }

    /// A borrowed C string and its length, as one `&str`.
    ///
    /// # Safety
    ///
    /// `p` must be NUL-terminated after `len` bytes and live for `'a`.
    unsafe fn c_str<'a>(p: *const c_char, len: usize) -> &'a str {
        // SAFETY: the caller's promise.
        let s = unsafe { CStr::from_ptr(p) }.to_str().unwrap();
        assert_eq!(s.len(), len);
        s
    }

    fn site(a: &Analysed, i: usize) -> vpnha_site_analysis {
        let mut out = std::mem::MaybeUninit::uninit();
        // SAFETY: a live handle and a live output, written on success.
        unsafe {
            assert_eq!(
                vpnha_analysis_site(a.analysis, i, out.as_mut_ptr()),
                vpnha_status::VPNHA_OK
            );
            out.assume_init()
        }
    }

    /// Reads a name through one of the name accessors.
    fn name(
        get: impl FnOnce(*mut *const c_char, *mut usize) -> vpnha_status,
    ) -> Result<String, vpnha_status> {
        let (mut p, mut len) = (null(), usize::MAX);
        match get(&mut p, &mut len) {
            // SAFETY: the accessor gave a borrowed NUL-terminated name and its length.
            vpnha_status::VPNHA_OK => Ok(unsafe { c_str(p, len) }.to_owned()),
            s => {
                assert!(p.is_null() && len == usize::MAX, "written on failure");
                Err(s)
            }
        }
    }

    fn report(
        a: &Analysed,
        write: unsafe extern "C" fn(
            *const vpnha_analysis,
            *mut c_char,
            usize,
            *mut usize,
        ) -> vpnha_status,
    ) -> String {
        let mut len = 0usize;
        // SAFETY: a live handle; `(NULL, 0)` asks for the length; then a buffer of len + 1.
        unsafe {
            assert_eq!(
                write(a.analysis, null_mut(), 0, &mut len),
                vpnha_status::VPNHA_BUFFER_TOO_SMALL
            );
            let mut buf = vec![0x55 as c_char; len + 1];
            assert_eq!(
                write(a.analysis, buf.as_mut_ptr(), len, &mut len),
                vpnha_status::VPNHA_BUFFER_TOO_SMALL,
                "no room for the NUL"
            );
            assert_eq!(buf[0], 0x55, "written on failure");
            let mut got = 0usize;
            assert_eq!(
                write(a.analysis, buf.as_mut_ptr(), buf.len(), &mut got),
                vpnha_status::VPNHA_OK
            );
            assert_eq!(got, len);
            c_str(buf.as_ptr(), len).to_owned()
        }
    }

    /// Every figure and list of every site, read through the C calls, is the core's.
    fn check_against_the_core(text: &str, max_failures: usize) {
        let a = analyse(text, max_failures);
        let core = Topology::from_yaml_str(text)
            .unwrap()
            .analyze_with(&AnalysisOptions::new().with_max_failures(max_failures))
            .unwrap();
        let mut n = 0;
        // SAFETY: a live handle and output.
        unsafe {
            assert_eq!(
                vpnha_analysis_site_count(a.analysis, &mut n),
                vpnha_status::VPNHA_OK
            );
        }
        assert_eq!(n, core.sites.len());
        for (si, cs) in core.sites.iter().enumerate() {
            let s = site(&a, si);
            // SAFETY: the strings are borrowed from the live handle.
            unsafe {
                assert_eq!(c_str(s.name, s.name_len), cs.site.name);
                assert_eq!(
                    c_str(s.pattern, s.pattern_len),
                    cs.site.pattern.map_or("", |p| p.name())
                );
                assert_eq!(c_str(s.verdict, s.verdict_len), cs.verdict.name());
            }
            assert_eq!(s.redundancy_met, cs.verdict == Verdict::RedundancyMet);
            assert_eq!(s.availability, cs.availability.probability);
            assert_eq!(s.unavailability, cs.availability.unavailability);
            assert_eq!(s.nines, cs.availability.nines());
            assert_eq!(
                s.downtime_minutes_per_month,
                cs.availability.downtime_minutes_per_month()
            );
            assert_eq!(s.max_failures, cs.max_failures);
            assert_eq!(s.tunnel_count, cs.site.tunnels.len());
            assert_eq!(s.reason_count, cs.reasons.len());
            for (i, r) in cs.reasons.iter().enumerate() {
                let mut out = std::mem::MaybeUninit::uninit();
                // SAFETY: live handle and output; the strings are borrowed from the handle.
                unsafe {
                    assert_eq!(
                        vpnha_analysis_reason(a.analysis, si, i, out.as_mut_ptr()),
                        vpnha_status::VPNHA_OK
                    );
                    let out = out.assume_init();
                    assert_eq!(c_str(out.reason, out.reason_len), r.reason.name());
                    assert_eq!(c_str(out.message, out.message_len), r.message);
                }
            }
            let spofs: Vec<String> = (0..s.single_point_of_failure_count)
                .map(|i| {
                    // SAFETY: live handle and outputs.
                    name(|p, l| unsafe {
                        vpnha_analysis_single_point_of_failure(a.analysis, si, i, p, l)
                    })
                    .unwrap()
                })
                .collect();
            assert_eq!(spofs, cs.single_points_of_failure);
            assert_eq!(s.minimal_cut_set_count, cs.minimal_cut_sets.len());
            for (c, set) in cs.minimal_cut_sets.iter().enumerate() {
                let mut size = 0;
                // SAFETY: live handle and output.
                unsafe {
                    assert_eq!(
                        vpnha_analysis_cut_set_size(a.analysis, si, c, &mut size),
                        vpnha_status::VPNHA_OK
                    );
                }
                let names: Vec<String> = (0..size)
                    .map(|i| {
                        // SAFETY: live handle and outputs.
                        name(|p, l| unsafe {
                            vpnha_analysis_cut_set_component(a.analysis, si, c, i, p, l)
                        })
                        .unwrap()
                    })
                    .collect();
                assert_eq!(&names, set);
            }
            assert_eq!(s.scenario_count, cs.scenarios.len());
            for (i, sc) in cs.scenarios.iter().enumerate() {
                let mut out = std::mem::MaybeUninit::uninit();
                // SAFETY: live handle and output.
                let out = unsafe {
                    assert_eq!(
                        vpnha_analysis_scenario(a.analysis, si, i, out.as_mut_ptr()),
                        vpnha_status::VPNHA_OK
                    );
                    out.assume_init()
                };
                let failed: Vec<String> = (0..out.failed_count)
                    .map(|f| {
                        // SAFETY: live handle and outputs.
                        name(|p, l| unsafe {
                            vpnha_analysis_scenario_failed(a.analysis, si, i, f, p, l)
                        })
                        .unwrap()
                    })
                    .collect();
                assert_eq!(failed, sc.failed);
                assert_eq!(out.planned, sc.planned);
                assert_eq!(out.reachable, sc.reachable);
                assert_eq!(out.surviving_tunnel_count, cs.surviving_tunnels(sc).len());
                let same = |c: f64, r: Option<f64>| match r {
                    Some(x) => c == x,
                    None => c.is_nan(),
                };
                assert!(same(out.moved_share, sc.moved_share));
                assert!(same(out.affected_share, sc.affected_share));
                let [lo, hi] = sc.interruption.seconds.unwrap_or([VPNHA_UNBOUNDED; 2]);
                assert_eq!(
                    [out.interruption_min_seconds, out.interruption_max_seconds],
                    [lo, hi]
                );
                // SAFETY: the strings are borrowed from the live handle.
                unsafe {
                    let cause = c_str(out.cause, out.cause_len);
                    assert!(
                        sc.interruption.causes.iter().any(|c| c.code() == cause),
                        "{cause}"
                    );
                    assert_eq!(
                        c_str(out.assumption, out.assumption_len),
                        sc.interruption.to_string()
                    );
                }
            }
        }
    }

    #[test]
    fn every_site_reads_as_the_core_analyses_it() {
        check_against_the_core(DUAL, 2);
        check_against_the_core(DUAL, 3);
        check_against_the_core(STANDBY, 2);
        check_against_the_core(BROKEN, 2);
        check_against_the_core(THREE_SITES, 1);
    }

    #[test]
    fn active_standby_has_the_figures_and_single_points_of_failure_of_vpnha_analyze() {
        let a = analyse(STANDBY, VPNHA_DEFAULT_MAX_FAILURES);
        let s = site(&a, 0);
        // The figures `vpnha analyze examples/active-standby.yaml --format json` prints.
        assert!((s.availability - 0.998_799_960_289_947_6).abs() < 1e-12);
        assert!((s.nines - 2.920_804_382_642_937_3).abs() < 1e-12);
        assert!(!s.redundancy_met);
        let spofs: Vec<String> = (0..s.single_point_of_failure_count)
            .map(|i| {
                // SAFETY: live handle and outputs.
                name(|p, l| unsafe {
                    vpnha_analysis_single_point_of_failure(a.analysis, 0, i, p, l)
                })
                .unwrap()
            })
            .collect();
        assert_eq!(spofs, ["zone:1", "berlin-fw", "berlin/0"]);
        // The length is optional.
        let mut p = null();
        // SAFETY: live handle and output; NULL for the length.
        unsafe {
            assert_eq!(
                vpnha_analysis_single_point_of_failure(a.analysis, 0, 1, &mut p, null_mut()),
                vpnha_status::VPNHA_OK
            );
            assert_eq!(CStr::from_ptr(p).to_str().unwrap(), "berlin-fw");
        }
    }

    #[test]
    fn a_site_without_tunnels_has_the_empty_cut_set_and_unmeasured_shares() {
        let a = analyse(THREE_SITES, 1);
        // Sites are numbered by name, as the topology numbers them: branch, hq, lonely.
        let lonely = site(&a, 2);
        // SAFETY: borrowed from the live handle.
        assert_eq!(unsafe { c_str(lonely.name, lonely.name_len) }, "lonely");
        assert_eq!(unsafe { c_str(lonely.pattern, lonely.pattern_len) }, "");
        assert_eq!(lonely.availability, 0.0);
        assert_eq!(lonely.minimal_cut_set_count, 1);
        let mut size = usize::MAX;
        // SAFETY: live handle and output.
        unsafe {
            assert_eq!(
                vpnha_analysis_cut_set_size(a.analysis, 2, 0, &mut size),
                vpnha_status::VPNHA_OK
            );
        }
        assert_eq!(size, 0);
        let mut sc = std::mem::MaybeUninit::<vpnha_scenario>::uninit();
        // SAFETY: live handle and output.
        let sc = unsafe {
            assert_eq!(
                vpnha_analysis_scenario(a.analysis, 2, 0, sc.as_mut_ptr()),
                vpnha_status::VPNHA_OK
            );
            sc.assume_init()
        };
        assert!(!sc.reachable);
        assert!(sc.moved_share.is_nan());
        assert_eq!(sc.interruption_max_seconds, VPNHA_UNBOUNDED);
    }

    #[test]
    fn json_is_the_analyze_document_without_its_file() {
        for (text, errors) in [(DUAL, 0), (BROKEN, 6)] {
            let a = analyse(text, 2);
            let json = report(&a, vpnha_analysis_write_json);
            // The core's document with the error count in front, as `vpnha analyze` prints
            // it after its `file`.
            let core = Topology::from_yaml_str(text).unwrap().analyze().unwrap();
            let core = serde_json::to_string_pretty(&core).unwrap();
            let rest = core.strip_prefix("{\n").unwrap();
            assert_eq!(
                json,
                format!("{{\n  \"validation_errors\": {errors},\n{rest}\n")
            );
        }
    }

    #[test]
    fn text_is_the_analyze_report_headed_input() {
        let a = analyse(STANDBY, 2);
        let core = Topology::from_yaml_str(STANDBY).unwrap().analyze().unwrap();
        let text = report(&a, vpnha_analysis_write_text);
        assert_eq!(text, core.text_report("<input>").to_string());
        assert!(text.starts_with("<input>: component availabilities"));
        let broken = report(&analyse(BROKEN, 2), vpnha_analysis_write_text);
        assert!(
            broken.starts_with("note: <input> has 6 error findings"),
            "{broken}"
        );
    }

    #[test]
    fn an_analysis_that_cannot_run_is_status_12_and_writes_nothing() {
        let no_sites = "version: 1
gateway: {sku: VpnGw1AZ, generation: Generation1, instances: [{public_ip: 192.0.2.1}]}
";
        for (text, k) in [(DUAL, 0), (DUAL, 99), (DUAL, usize::MAX), (no_sites, 2)] {
            let t = topology(text);
            let sentinel = std::ptr::dangling_mut::<vpnha_analysis>();
            let mut out = sentinel;
            // SAFETY: a live handle and a live output.
            unsafe {
                assert_eq!(
                    vpnha_topology_analyze(t, k, &mut out),
                    vpnha_status::VPNHA_ANALYSIS_FAILED
                );
                vpnha_topology_free(t);
            }
            assert_eq!(out, sentinel);
        }
    }

    #[test]
    fn null_and_out_of_range_arguments_are_refused_and_write_nothing() {
        let a = analyse(STANDBY, 2);
        let s = site(&a, 0);
        let h = a.analysis.cast_const();
        let mut n = usize::MAX;
        // SAFETY: every pointer is NULL, the live handle or a live local.
        unsafe {
            let mut out = null_mut();
            assert_eq!(
                vpnha_topology_analyze(null(), 2, &mut out),
                vpnha_status::VPNHA_NULL_PARAMETER
            );
            assert_eq!(
                vpnha_topology_analyze(a.topology, 2, null_mut()),
                vpnha_status::VPNHA_NULL_PARAMETER
            );
            assert!(out.is_null());
            assert_eq!(
                vpnha_analysis_site_count(null(), &mut n),
                vpnha_status::VPNHA_NULL_PARAMETER
            );
            assert_eq!(
                vpnha_analysis_site_count(h, null_mut()),
                vpnha_status::VPNHA_NULL_PARAMETER
            );
            assert_eq!(
                vpnha_analysis_site(h, 0, null_mut()),
                vpnha_status::VPNHA_NULL_PARAMETER
            );
            let mut site = std::mem::MaybeUninit::<vpnha_site_analysis>::zeroed();
            assert_eq!(
                vpnha_analysis_site(h, 1, site.as_mut_ptr()),
                vpnha_status::VPNHA_OUT_OF_RANGE
            );
            assert!(site.assume_init().name.is_null());
            let mut reason = std::mem::MaybeUninit::<vpnha_redundancy_reason>::zeroed();
            assert_eq!(
                vpnha_analysis_reason(h, 0, s.reason_count, reason.as_mut_ptr()),
                vpnha_status::VPNHA_OUT_OF_RANGE
            );
            assert_eq!(
                vpnha_analysis_reason(h, 1, 0, reason.as_mut_ptr()),
                vpnha_status::VPNHA_OUT_OF_RANGE
            );
            assert!(reason.assume_init().reason.is_null());
            assert_eq!(
                vpnha_analysis_cut_set_size(h, 0, s.minimal_cut_set_count, &mut n),
                vpnha_status::VPNHA_OUT_OF_RANGE
            );
            assert_eq!(
                vpnha_analysis_cut_set_size(h, 0, 0, null_mut()),
                vpnha_status::VPNHA_NULL_PARAMETER
            );
            let mut sc = std::mem::MaybeUninit::<vpnha_scenario>::zeroed();
            assert_eq!(
                vpnha_analysis_scenario(h, 0, s.scenario_count, sc.as_mut_ptr()),
                vpnha_status::VPNHA_OUT_OF_RANGE
            );
            assert!(sc.assume_init().cause.is_null());
            assert_eq!(n, usize::MAX);
            let mut len = usize::MAX;
            assert_eq!(
                vpnha_analysis_write_json(null(), null_mut(), 0, &mut len),
                vpnha_status::VPNHA_NULL_PARAMETER
            );
            assert_eq!(
                vpnha_analysis_write_text(h, null_mut(), 0, null_mut()),
                vpnha_status::VPNHA_NULL_PARAMETER
            );
            assert_eq!(
                vpnha_analysis_write_text(h, null_mut(), 8, &mut len),
                vpnha_status::VPNHA_NULL_PARAMETER
            );
            assert_eq!(len, usize::MAX);
        }
        let out_of_range = [
            // SAFETY (each): the live handle and live outputs.
            name(|p, l| unsafe {
                vpnha_analysis_single_point_of_failure(h, 0, s.single_point_of_failure_count, p, l)
            }),
            name(|p, l| unsafe { vpnha_analysis_single_point_of_failure(h, 9, 0, p, l) }),
            name(|p, l| unsafe {
                vpnha_analysis_cut_set_component(h, 0, s.minimal_cut_set_count, 0, p, l)
            }),
            name(|p, l| unsafe { vpnha_analysis_cut_set_component(h, 0, 0, 9, p, l) }),
            name(|p, l| unsafe { vpnha_analysis_scenario_failed(h, 0, s.scenario_count, 0, p, l) }),
            name(|p, l| unsafe { vpnha_analysis_scenario_failed(h, 0, 0, 9, p, l) }),
        ];
        for r in out_of_range {
            assert_eq!(r, Err(vpnha_status::VPNHA_OUT_OF_RANGE));
        }
        // SAFETY: the live handle; a NULL name output.
        let s = unsafe { vpnha_analysis_scenario_failed(h, 0, 0, 0, null_mut(), null_mut()) };
        assert_eq!(s, vpnha_status::VPNHA_NULL_PARAMETER);
        // SAFETY: NULL is a no-op.
        unsafe { vpnha_analysis_free(null_mut()) };
    }

    #[test]
    fn the_bounding_cause_is_the_longest_and_an_outage_beats_any() {
        let dpd = Cause::Detection {
            dpd_seconds: 45,
            bgp: true,
        };
        assert_eq!(
            bounding_cause(&[dpd, Cause::ActiveStandbyFailover]),
            Some(Cause::ActiveStandbyFailover)
        );
        assert_eq!(bounding_cause(&[Cause::PlannedMaintenance, dpd]), Some(dpd));
        assert_eq!(
            bounding_cause(&[Cause::Unaffected, Cause::Outage]),
            Some(Cause::Outage)
        );
        assert_eq!(bounding_cause(&[]), None);
    }

    #[test]
    fn the_default_failure_count_is_the_core_default() {
        assert_eq!(
            VPNHA_DEFAULT_MAX_FAILURES,
            vpnha::analysis::DEFAULT_MAX_FAILURES
        );
        assert_eq!(VPNHA_UNBOUNDED, u64::MAX);
    }
}
