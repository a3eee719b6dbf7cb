//! Failure and availability analysis: a handle holding the analysis of every site, read by
//! index or as a whole report in text or JSON; the options of `vpnha analyze` in a versioned
//! structure, and the core's reason when an analysis cannot run.
//!
//! The handle keeps the core's [`Analysis`] for the reports and, beside it, every string C
//! may borrow as NUL-terminated text: per site, each distinct name (components, cause codes,
//! assumptions) is kept once and the lists hold indices into it, so that a site with a
//! million scenarios costs indices, not a million copies of its component names.

use std::collections::HashMap;
use std::ffi::c_char;
use std::sync::OnceLock;

use vpnha::analysis::{
    Analysis, AnalysisError, AnalysisOptions, Cause, Scenario, SiteAnalysis, Verdict,
};
use vpnha::model::AvailabilityInputs;
use vpnha::{Severity, Topology};

use crate::ecmp::{VPNHA_ALGORITHM_STABLE, algorithm_of, vpnha_algorithm};
use crate::ffi::{
    CText, Checked, Out, TextBuf, arg_cstr, arg_ref, arg_slice, arg_struct_size, copy_text,
    ffi_boundary, ffi_status,
};
use crate::status::vpnha_status;
use crate::topology::vpnha_topology;

/// The failure-set size `vpnha analyze` enumerates unless told otherwise: every single and
/// double failure.
pub const VPNHA_DEFAULT_MAX_FAILURES: usize = 2;

/// `vpnha_scenario.interruption_min_seconds` and `_max_seconds` of an outage: the site is cut
/// off until a failed component is repaired, and no duration is assumed.
pub const VPNHA_UNBOUNDED: u64 = 0xFFFF_FFFF_FFFF_FFFF;

/// The number of sample flows the moved shares are measured on unless told otherwise, as
/// `vpnha analyze` does.
pub const VPNHA_DEFAULT_FLOW_SAMPLE: usize = 4096;

/// The largest flow sample `vpnha_analysis_options.flow_sample` may ask for.
pub const VPNHA_MAX_FLOW_SAMPLE: usize = 1_048_576;

/// The most scenarios one site may need unless told otherwise: an analysis that would visit
/// more is refused before it starts.
pub const VPNHA_DEFAULT_MAX_SCENARIOS: usize = 1_000_000;

/// The name the text report gives the topology (the parser's name for text in memory).
const INPUT_NAME: &str = "<input>";

/// The analysis of one site, as `vpnha_analysis_site` gives it. The strings are borrowed from
/// the analysis handle: valid, unchanged, until `vpnha_analysis_free`. Each is NUL-terminated
/// and also given with its length in bytes (without the NUL).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vpnha_site_analysis {
    /// The site's name; the site has the same index as in `vpnha_topology_site_name`
    /// unless the options named one site (then it is site 0).
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

/// The ECMP weights of one site's tunnels, for `vpnha_analysis_options.site_weights`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vpnha_site_weights {
    /// The site's name: NUL-terminated UTF-8.
    pub site: *const c_char,
    /// One weight per tunnel of the site, in its group's order (`vpnha_topology_site_tunnels`);
    /// weight 0 makes a standby tunnel, which carries no flows while another is up.
    pub weights: *const u32,
    /// The number of weights: the site's tunnel count.
    pub weights_len: usize,
}

/// What `vpnha_topology_analyze_with` analyses and how: the options of `vpnha analyze` and
/// the availability inputs. Fill it with `vpnha_analysis_options_default`, then change the
/// fields you need.
///
/// ABI rule: `struct_size` comes first and says which layout the caller was built with.
/// Later releases only add fields at the end; a library accepts the size of every layout it
/// knows and gives the fields beyond a caller's size their defaults, so a program built with
/// an older header keeps working with a newer library. A size the library does not know
/// (a header newer than the library, or a structure never initialised) is refused with
/// `VPNHA_INVALID_INPUT`.
///
/// Strings in the structure are NUL-terminated UTF-8 (unlike string arguments, which come
/// with a length), so that a literal can be assigned. Every pointer is borrowed for the call
/// only: the library keeps none of them.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vpnha_analysis_options {
    /// `sizeof(vpnha_analysis_options)` as the caller's header declares it; set by
    /// `vpnha_analysis_options_default`.
    pub struct_size: usize,
    /// Enumerate failure sets of 1 to `max_failures` components (default
    /// VPNHA_DEFAULT_MAX_FAILURES): `vpnha analyze --max-failures`.
    pub max_failures: usize,
    /// Analyse only the site of this name (`vpnha analyze --site`); NULL (the default) for
    /// every site. The analysis then holds that one site, at index 0.
    pub site: *const c_char,
    /// The ECMP seed the moved shares are measured with (default 0): `--seed`.
    pub seed: u64,
    /// The ECMP algorithm the moved shares are measured with, a VPNHA_ALGORITHM_ constant
    /// (default VPNHA_ALGORITHM_STABLE): `--algorithm`.
    pub algorithm: vpnha_algorithm,
    /// The number of sample flows the moved shares are measured on, 1 to
    /// VPNHA_MAX_FLOW_SAMPLE (default VPNHA_DEFAULT_FLOW_SAMPLE).
    pub flow_sample: usize,
    /// The most scenarios one site may need (default VPNHA_DEFAULT_MAX_SCENARIOS); a site
    /// that needs more is refused before any work starts.
    pub max_scenarios: usize,
    /// The shares of a site's tunnels (each in (0, 1]) whose availability the JSON report
    /// gives (`--capacity`, repeated). NULL with length 0 (the default) for 0.5 and 1.
    pub capacity_shares: *const f64,
    /// The number of `capacity_shares`.
    pub capacity_shares_len: usize,
    /// The availability of one gateway instance (and the standby), over the file's
    /// `availability` block. NaN (the default; `NAN` of math.h) when not given: the file's
    /// value, else the documented default. Any other value must lie in (0, 1]: 0 is refused,
    /// not taken as "not given".
    pub gateway_instance_availability: f64,
    /// The availability of one on-premises device; NaN when not given, as
    /// `gateway_instance_availability`.
    pub device_availability: f64,
    /// The availability of one ISP uplink; NaN when not given.
    pub isp_availability: f64,
    /// The availability of one tunnel (IKE/IPsec on top of its endpoints); NaN when not given.
    pub tunnel_availability: f64,
    /// The availability of one availability zone; NaN when not given.
    pub zone_availability: f64,
    /// Components whose availability differs from their kind's, by name (`hq-fw-a`,
    /// `isp:isp-1`, `instance-0`, `zone:1`, `hq-a/0`): NUL-terminated UTF-8 names, each
    /// naming a component of a site analysed. NULL with length 0 (the default) for none.
    pub component_names: *const *const c_char,
    /// The availability of each of `component_names`, in (0, 1] (NaN is refused here).
    pub component_availabilities: *const f64,
    /// The number of `component_names`, and of `component_availabilities`.
    pub component_availabilities_len: usize,
    /// ECMP weights of sites' tunnels, for the moved shares (a site without weights has
    /// weight 1 per tunnel). NULL with length 0 (the default) for none.
    pub site_weights: *const vpnha_site_weights,
    /// The number of `site_weights`.
    pub site_weights_len: usize,
}

impl vpnha_analysis_options {
    /// The defaults: every option of `vpnha analyze` unset.
    const DEFAULT: Self = Self {
        struct_size: size_of::<Self>(),
        max_failures: VPNHA_DEFAULT_MAX_FAILURES,
        site: std::ptr::null(),
        seed: 0,
        algorithm: VPNHA_ALGORITHM_STABLE,
        flow_sample: VPNHA_DEFAULT_FLOW_SAMPLE,
        max_scenarios: VPNHA_DEFAULT_MAX_SCENARIOS,
        capacity_shares: std::ptr::null(),
        capacity_shares_len: 0,
        gateway_instance_availability: f64::NAN,
        device_availability: f64::NAN,
        isp_availability: f64::NAN,
        tunnel_availability: f64::NAN,
        zone_availability: f64::NAN,
        component_names: std::ptr::null(),
        component_availabilities: std::ptr::null(),
        component_availabilities_len: 0,
        site_weights: std::ptr::null(),
        site_weights_len: 0,
    };
}

// The layout is part of the ABI: fields are only ever added at the end (see the ABI rule).
#[cfg(target_pointer_width = "64")]
const _: () = assert!(size_of::<vpnha_analysis_options>() == 152);

// The C defaults are the core's.
const _: () = {
    assert!(VPNHA_DEFAULT_FLOW_SAMPLE == vpnha::analysis::DEFAULT_FLOW_SAMPLE);
    assert!(VPNHA_MAX_FLOW_SAMPLE == vpnha::analysis::MAX_FLOW_SAMPLE);
    assert!(VPNHA_DEFAULT_MAX_SCENARIOS == vpnha::analysis::DEFAULT_MAX_SCENARIOS);
};

/// Why a call was refused: its status and a reason in words, for the error buffer.
type Refusal = (vpnha_status, String);

/// A refusal of option field `field` for the status an argument check gave.
fn refuse(field: &str) -> impl Fn(vpnha_status) -> Refusal + '_ {
    move |status| (status, format!("options.{field}: {}", status.text()))
}

/// The status of a core error: a name that names nothing is `VPNHA_NOT_FOUND`, as for
/// `vpnha_topology_site_find`; everything else `VPNHA_ANALYSIS_FAILED`.
fn status_of(e: &AnalysisError) -> vpnha_status {
    match e {
        AnalysisError::UnknownSite { .. } | AnalysisError::UnknownComponent { .. } => {
            vpnha_status::VPNHA_NOT_FOUND
        }
        _ => vpnha_status::VPNHA_ANALYSIS_FAILED,
    }
}

/// The core's options from C's.
///
/// # Safety
///
/// The pointers in `o` must be as `vpnha_topology_analyze_with` requires.
unsafe fn options_of(o: &vpnha_analysis_options) -> Result<AnalysisOptions, Refusal> {
    let algorithm = algorithm_of(o.algorithm).map_err(|status| {
        (
            status,
            format!(
                "options.algorithm is {}: expected VPNHA_ALGORITHM_STABLE (0), _RENDEZVOUS (1), _MAGLEV (2) or _HASH_THRESHOLD (3)",
                o.algorithm
            ),
        )
    })?;
    let mut options = AnalysisOptions::new()
        .with_max_failures(o.max_failures)
        .with_algorithm(algorithm)
        .with_seed(o.seed)
        .with_flow_sample(o.flow_sample)
        .with_max_scenarios(o.max_scenarios);
    if !o.site.is_null() {
        // SAFETY: the caller's promise.
        options = options.with_site(unsafe { arg_cstr(o.site) }.map_err(refuse("site"))?);
    }
    // SAFETY: the caller's promise.
    let shares = unsafe { arg_slice(o.capacity_shares, o.capacity_shares_len) }
        .map_err(refuse("capacity_shares"))?;
    if !shares.is_empty() {
        options = options.with_capacity_shares(shares);
    }
    let given = |v: f64| (!v.is_nan()).then_some(v);
    let mut inputs = AvailabilityInputs::default();
    inputs.gateway_instance = given(o.gateway_instance_availability);
    inputs.device = given(o.device_availability);
    inputs.isp = given(o.isp_availability);
    inputs.tunnel = given(o.tunnel_availability);
    inputs.zone = given(o.zone_availability);
    options = options.with_availability(inputs);
    let len = o.component_availabilities_len;
    // SAFETY (both): the caller's promise.
    let names = unsafe { arg_slice(o.component_names, len) }.map_err(refuse("component_names"))?;
    let values = unsafe { arg_slice(o.component_availabilities, len) }
        .map_err(refuse("component_availabilities"))?;
    for (i, (&name, &value)) in names.iter().zip(values).enumerate() {
        // SAFETY: the caller's promise.
        let name = unsafe { arg_cstr(name) }.map_err(refuse(&format!("component_names[{i}]")))?;
        options = options.with_component_availability(name, value);
    }
    // SAFETY: the caller's promise.
    let weights =
        unsafe { arg_slice(o.site_weights, o.site_weights_len) }.map_err(refuse("site_weights"))?;
    for (i, w) in weights.iter().enumerate() {
        // SAFETY (both): the caller's promise.
        let site =
            unsafe { arg_cstr(w.site) }.map_err(refuse(&format!("site_weights[{i}].site")))?;
        let values = unsafe { arg_slice(w.weights, w.weights_len) }
            .map_err(refuse(&format!("site_weights[{i}].weights")))?;
        options = options.with_weights(site, values);
    }
    Ok(options)
}

/// The failure and availability analysis of a topology's sites, made by
/// `vpnha_topology_analyze` or `vpnha_topology_analyze_with`. Opaque; freed by `vpnha_analysis_free`. Immutable to its callers:
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

    /// Runs the core's analysis and keeps what C reads.
    fn run(t: &Topology, options: &AnalysisOptions) -> Result<Self, AnalysisError> {
        let analysis = t.analyze_with(options)?;
        let errors = t
            .validate()
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        Ok(Self::new(analysis, errors))
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

/// The body of the name accessors: the handle and `out_name` are checked, then site
/// `site_index`, then `pick` finds the name's index in the site's strings
/// (`VPNHA_OUT_OF_RANGE` when it finds none); `*out_name` receives the borrowed name and
/// `*out_name_len`, when not NULL, its length.
///
/// # Safety
///
/// `analysis` must be NULL or a live handle; `out_name` and `out_name_len` must each be NULL
/// or valid for a write.
unsafe fn borrow_name(
    analysis: *const vpnha_analysis,
    site_index: usize,
    out_name: *mut *const c_char,
    out_name_len: *mut usize,
    pick: impl FnOnce(&SiteEntry) -> Option<&usize>,
) -> Checked<()> {
    // SAFETY: the caller's promise.
    let a = unsafe { arg_ref(analysis) }?;
    let out = Out::new(out_name)?;
    let (e, _) = a.site(site_index)?;
    let &i = pick(e).ok_or(vpnha_status::VPNHA_OUT_OF_RANGE)?;
    let name = e.string(i);
    // SAFETY: the caller's promise.
    unsafe {
        out.write(name.as_ptr());
        if let Some(len) = Out::optional(out_name_len) {
            len.write(name.len());
        }
    }
    Ok(())
}

/// Analyses every site of the topology: each failure set of 1 to `max_failures` components
/// (VPNHA_DEFAULT_MAX_FAILURES is what `vpnha analyze` uses) and the planned maintenance of
/// each gateway instance, the single points of failure and minimal cut sets, the exact
/// availability from the file's per-component availabilities (else documented defaults),
/// and the redundancy verdict with its reasons. On success `*out_analysis` receives a new
/// handle, to be freed with `vpnha_analysis_free`.
///
/// The same as `vpnha_topology_analyze_with` with the default options but `max_failures`,
/// without the error text: use that for the other options of `vpnha analyze`, availabilities
/// of your own, and the reason an analysis cannot run.
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
        let analysis = vpnha_analysis::run(&t.topology, &options).map_err(|e| status_of(&e))?;
        let handle = Box::into_raw(Box::new(analysis));
        // SAFETY: the caller's promise.
        unsafe { out.write(handle) };
        Ok(())
    })
}

/// Fills `*out_options` with the defaults, what `vpnha analyze` does without options: every
/// site, VPNHA_DEFAULT_MAX_FAILURES, `VPNHA_ALGORITHM_STABLE` with seed 0,
/// VPNHA_DEFAULT_FLOW_SAMPLE flows, at most VPNHA_DEFAULT_MAX_SCENARIOS scenarios per site,
/// capacity at 50 % and 100 % of the tunnels, the file's availabilities (NaN: not given), no
/// per-component availabilities, no weights; and `struct_size` to `struct_size`.
///
/// Pass `sizeof(vpnha_analysis_options)` as `struct_size`: the library writes only the fields
/// of that layout (see the structure's ABI rule). A size it does not know gives
/// `VPNHA_INVALID_INPUT`, and nothing is written.
///
/// ```c
/// vpnha_analysis_options o;
/// vpnha_analysis_options_default(sizeof o, &o);
/// o.site = "hq";
/// o.max_failures = 3;
/// ```
///
/// # Safety
///
/// `out_options` must be NULL or point to `struct_size` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_analysis_options_default(
    struct_size: usize,
    out_options: *mut vpnha_analysis_options,
) -> vpnha_status {
    ffi_status!({
        if out_options.is_null() {
            return Err(vpnha_status::VPNHA_NULL_PARAMETER);
        }
        if struct_size != size_of::<vpnha_analysis_options>() {
            return Err(vpnha_status::VPNHA_INVALID_INPUT);
        }
        let out = Out::new(out_options)?;
        // SAFETY: the caller's promise: `struct_size` bytes, the whole structure, are writable.
        unsafe { out.write(vpnha_analysis_options::DEFAULT) };
        Ok(())
    })
}

/// Analyses the topology as `vpnha analyze` does with options: the sites, failure count, ECMP
/// settings, capacity shares, availabilities and weights of `*options` (filled by
/// `vpnha_analysis_options_default`, then changed). On success `*out_analysis` receives a new
/// handle, to be freed with `vpnha_analysis_free`; with `options->site` set it holds that one
/// site, at index 0.
///
/// On failure `error_buf`, when given, receives a one-line reason that says what to change,
/// such as "no site is named `hqq`; did you mean `hq`?", NUL-terminated and cut to fit (at a
/// character boundary) as snprintf would, and `*out_error_len` (when not NULL) its full length
/// without the NUL, so a length at or above `error_buf_len` means it was cut: the conventions
/// of `vpnha_topology_parse`. 512 bytes hold nearly every reason whole. `error_buf` may be
/// NULL when `error_buf_len` is 0 (the status alone, and the length the reason needs). A
/// refusal of the arguments themselves (`topology`, `options` or `out_analysis` NULL or
/// misaligned, `error_buf` NULL with a length) gives its status without text; nothing is
/// written to `out_analysis` on any failure.
///
/// Returns:
/// - `VPNHA_INVALID_INPUT`: `options->struct_size` is not a size this library knows, or
///   `options->algorithm` is not a VPNHA_ALGORITHM_ constant;
/// - `VPNHA_NULL_PARAMETER`, `VPNHA_MISALIGNED`: an array of the options is NULL with a
///   length above 0, or misaligned; a name in `component_names` or `site_weights` is NULL;
/// - `VPNHA_INVALID_UTF8`: a name in the options is not UTF-8;
/// - `VPNHA_NOT_FOUND`: `options->site`, a site of `site_weights` or a name of
///   `component_names` names no site (component) analysed, as `vpnha_topology_site_find`
///   gives `VPNHA_NOT_FOUND` for an unknown site; the reason suggests the closest name;
/// - `VPNHA_ANALYSIS_FAILED`: the analysis cannot run: no sites, `max_failures` 0 or above
///   the component count of the largest site analysed, an availability outside (0, 1] (in
///   the options or the file), a capacity share outside (0, 1], a flow sample of 0 or above
///   VPNHA_MAX_FLOW_SAMPLE, a site needing more than `max_scenarios` scenarios, weights not
///   one per tunnel of their site (or all 0), a gateway with more instances than Azure
///   allows.
///
/// A topology with error findings is analysed as written, as by `vpnha_topology_analyze`.
/// Time, memory and stack as for `vpnha_topology_analyze`.
///
/// # Safety
///
/// `topology` must be NULL or a live handle; `options` must be NULL or point to an
/// initialised `vpnha_analysis_options` of `options->struct_size` bytes whose pointers are
/// NULL or valid as their fields describe (NUL-terminated strings, arrays of their lengths)
/// for the call; `out_analysis` must be NULL or valid for a write; `error_buf` must point to
/// `error_buf_len` writable bytes (or be NULL when `error_buf_len` is 0); `out_error_len`
/// must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_topology_analyze_with(
    topology: *const vpnha_topology,
    options: *const vpnha_analysis_options,
    out_analysis: *mut *mut vpnha_analysis,
    error_buf: *mut c_char,
    error_buf_len: usize,
    out_error_len: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let t = unsafe { arg_ref(topology) }?;
        // SAFETY: the caller's promise: the structure starts with its size.
        let size = unsafe { arg_struct_size(options) }?;
        let out = Out::new(out_analysis)?;
        let error = TextBuf::new(error_buf, error_buf_len)?;
        let error_len = Out::optional(out_error_len);
        let result = if size == size_of::<vpnha_analysis_options>() {
            // SAFETY: the caller's promise: an initialised structure of this layout.
            let o = unsafe { arg_ref(options) }?;
            // SAFETY: the caller's promise on the pointers in the options.
            unsafe { options_of(o) }.and_then(|options| {
                vpnha_analysis::run(&t.topology, &options)
                    .map_err(|e| (status_of(&e), e.to_string()))
            })
        } else {
            Err((
                vpnha_status::VPNHA_INVALID_INPUT,
                format!(
                    "options.struct_size is {size}, a layout this library does not know (it knows {}): initialise the options with vpnha_analysis_options_default(sizeof options, &options), and use the header of this library",
                    size_of::<vpnha_analysis_options>()
                ),
            ))
        };
        match result {
            Ok(analysis) => {
                let handle = Box::into_raw(Box::new(analysis));
                // SAFETY: the caller's promise.
                unsafe { out.write(handle) };
                Ok(())
            }
            Err((status, message)) => {
                // SAFETY: the caller's promise on `error_buf` and `out_error_len`; the
                // message is ours, so it overlaps neither.
                unsafe { error.write_reason(&message, error_len) };
                Err(status)
            }
        }
    })
}

/// Frees an analysis. NULL is a no-op. Strings borrowed from it must not be used afterwards.
///
/// # Safety
///
/// `analysis` must be NULL or a handle from `vpnha_topology_analyze` or
/// `vpnha_topology_analyze_with` not freed before, and no other call on it may be running.
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
/// `vpnha_topology_site_count` numbers them (by name, sorted); 1 when the options of
/// `vpnha_topology_analyze_with` named a site.
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
            name_len: e.name.len(),
            pattern: e.pattern.as_ptr(),
            pattern_len: e.pattern.len(),
            verdict: e.verdict.as_ptr(),
            verdict_len: e.verdict.len(),
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
            reason_len: code.len(),
            message: message.as_ptr(),
            message_len: message.len(),
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
        unsafe {
            borrow_name(analysis, site_index, out_name, out_name_len, |e| {
                e.single_points_of_failure.get(index)
            })
        }
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
        unsafe {
            borrow_name(analysis, site_index, out_name, out_name_len, |e| {
                e.cut_sets.get(cut_set).and_then(|set| set.get(index))
            })
        }
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
            cause_len: cause.len(),
            assumption: assumption.as_ptr(),
            assumption_len: assumption.len(),
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
        unsafe {
            borrow_name(analysis, site_index, out_name, out_name_len, |e| {
                e.scenarios
                    .get(scenario)
                    .and_then(|sc| sc.failed.get(index))
            })
        }
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
        // SAFETY: the caller's promise on the handle, the buffer and `out_len`.
        unsafe { copy_text(analysis, buf, buf_len, out_len, |a| Ok(a.text())) }
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
        // SAFETY: the caller's promise on the handle, the buffer and `out_len`.
        unsafe { copy_text(analysis, buf, buf_len, out_len, |a| Ok(a.json())) }
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

    /// `vpnha_topology_analyze_with` on a topology, giving the handle or the status and the
    /// reason written to the error buffer (checking that nothing else was written).
    fn analyse_with(
        topology: *const vpnha_topology,
        options: &vpnha_analysis_options,
    ) -> Result<Analysed, (vpnha_status, String)> {
        let sentinel = std::ptr::dangling_mut::<vpnha_analysis>();
        let mut analysis = sentinel;
        let mut error = [0x55 as c_char; 512];
        let mut error_len = usize::MAX;
        // SAFETY: a live handle, options whose pointers are live, live outputs.
        let s = unsafe {
            vpnha_topology_analyze_with(
                topology,
                options,
                &mut analysis,
                error.as_mut_ptr(),
                error.len(),
                &mut error_len,
            )
        };
        if s == vpnha_status::VPNHA_OK {
            assert_eq!(error[0], 0x55, "no error text on success");
            assert_eq!(error_len, usize::MAX);
            // The caller frees the topology; NULL frees nothing.
            return Ok(Analysed {
                topology: null_mut(),
                analysis,
            });
        }
        assert_eq!(analysis, sentinel, "written on failure");
        // SAFETY: the library wrote a NUL-terminated reason of that length.
        let reason = unsafe { c_str(error.as_ptr(), error_len) }.to_owned();
        Err((s, reason))
    }

    fn defaults() -> vpnha_analysis_options {
        let mut o = std::mem::MaybeUninit::<vpnha_analysis_options>::uninit();
        // SAFETY: room for the whole structure.
        unsafe {
            assert_eq!(
                vpnha_analysis_options_default(size_of::<vpnha_analysis_options>(), o.as_mut_ptr()),
                vpnha_status::VPNHA_OK
            );
            o.assume_init()
        }
    }

    #[test]
    fn the_default_options_are_the_cores_and_give_vpnha_topology_analyzes_result() {
        let o = defaults();
        assert_eq!(o.struct_size, size_of::<vpnha_analysis_options>());
        assert_eq!(o.max_failures, VPNHA_DEFAULT_MAX_FAILURES);
        assert!(o.site.is_null() && o.capacity_shares.is_null() && o.site_weights.is_null());
        assert!(o.device_availability.is_nan() && o.zone_availability.is_nan());
        // SAFETY: a live topology and options.
        unsafe { options_of(&o) }
            .map(|options| assert_eq!(options, AnalysisOptions::new()))
            .unwrap();
        let plain = analyse(DUAL, 2);
        let t = topology(DUAL);
        let with = analyse_with(t, &o).unwrap();
        // SAFETY: freed once; the analysis does not need it.
        unsafe { vpnha_topology_free(t) };
        assert_eq!(
            report(&plain, vpnha_analysis_write_json),
            report(&with, vpnha_analysis_write_json)
        );
        assert_eq!(
            report(&plain, vpnha_analysis_write_text),
            report(&with, vpnha_analysis_write_text)
        );
    }

    #[test]
    fn every_option_reaches_the_core() {
        let shares = [0.25, 0.75];
        let names = [c"a-fw-1".as_ptr(), c"isp:isp-1".as_ptr()];
        let values = [0.99, 0.95];
        let weights = [3u32, 1, 1, 1];
        let site_weights = [vpnha_site_weights {
            site: c"a".as_ptr(),
            weights: weights.as_ptr(),
            weights_len: weights.len(),
        }];
        let mut o = defaults();
        o.site = c"a".as_ptr();
        o.max_failures = 3;
        o.algorithm = crate::ecmp::VPNHA_ALGORITHM_MAGLEV;
        o.seed = 7;
        o.flow_sample = 1000;
        o.max_scenarios = 5000;
        o.capacity_shares = shares.as_ptr();
        o.capacity_shares_len = shares.len();
        o.device_availability = 0.9;
        o.tunnel_availability = 0.999;
        o.component_names = names.as_ptr();
        o.component_availabilities = values.as_ptr();
        o.component_availabilities_len = 1; // the ISP is not a component here: only the device
        o.site_weights = site_weights.as_ptr();
        o.site_weights_len = 1;
        let mut inputs = AvailabilityInputs::default();
        inputs.device = Some(0.9);
        inputs.tunnel = Some(0.999);
        let want = AnalysisOptions::new()
            .with_site("a")
            .with_max_failures(3)
            .with_algorithm(vpnha::ecmp::Algorithm::Maglev)
            .with_seed(7)
            .with_flow_sample(1000)
            .with_max_scenarios(5000)
            .with_capacity_shares(&shares)
            .with_availability(inputs)
            .with_component_availability("a-fw-1", 0.99)
            .with_weights("a", &weights);
        // SAFETY: every pointer in the options is live.
        assert_eq!(unsafe { options_of(&o) }.unwrap(), want);

        let t = topology(BROKEN);
        let a = analyse_with(t, &o).unwrap();
        // SAFETY: freed once; the analysis does not need it.
        unsafe { vpnha_topology_free(t) };
        let core = Topology::from_yaml_str(BROKEN)
            .unwrap()
            .analyze_with(&want)
            .unwrap();
        let mut n = 0;
        // SAFETY: a live handle and output.
        unsafe { vpnha_analysis_site_count(a.analysis, &mut n) };
        assert_eq!(n, 1, "only the site named");
        let s = site(&a, 0);
        // SAFETY: borrowed from the live handle.
        assert_eq!(unsafe { c_str(s.name, s.name_len) }, "a");
        assert_eq!(s.availability, core.sites[0].availability.probability);
        assert_eq!(s.max_failures, 3);
        let json = report(&a, vpnha_analysis_write_json);
        assert!(json.contains("\"algorithm\": \"maglev\""), "{json}");
        assert!(json.contains("\"seed\": 7"));
        assert!(json.contains("\"flow_sample\": 1000"));
        assert!(json.contains("\"share\": 0.75"));
    }

    #[test]
    fn availability_overrides_change_the_figures() {
        let t = topology(STANDBY);
        let mut o = defaults();
        o.gateway_instance_availability = 0.99;
        o.device_availability = 0.99;
        o.isp_availability = 0.99;
        o.tunnel_availability = 0.99;
        o.zone_availability = 0.99;
        let a = analyse_with(t, &o).unwrap();
        // One zone, one device, one tunnel in series with instance-0 or the standby (no ISP
        // is declared).
        let p = 0.99;
        let want = p * p * p * (1.0 - (1.0 - p) * (1.0 - p));
        assert!((site(&a, 0).availability - want).abs() < 1e-12);
        // One component over its kind.
        let names = [c"berlin-fw".as_ptr()];
        let values = [0.5];
        o.component_names = names.as_ptr();
        o.component_availabilities = values.as_ptr();
        o.component_availabilities_len = 1;
        let b = analyse_with(t, &o).unwrap();
        let want = p * 0.5 * p * (1.0 - (1.0 - p) * (1.0 - p));
        assert!((site(&b, 0).availability - want).abs() < 1e-12);
        // SAFETY: freed once.
        unsafe { vpnha_topology_free(t) };
    }

    #[test]
    fn refusals_give_the_status_and_the_cores_reason() {
        let t = topology(DUAL);
        let bad_utf8 = [0x68u8, 0xff, 0];
        let unknown = [c"hq-fw-z".as_ptr()];
        let one = [0.9];
        let zero = [0.0];
        let null_name = [null::<c_char>()];
        type Change<'a> = Box<dyn Fn(&mut vpnha_analysis_options) + 'a>;
        let cases: Vec<(Change, vpnha_status, &str)> = vec![
            (
                Box::new(|o| o.site = c"hqq".as_ptr()),
                vpnha_status::VPNHA_NOT_FOUND,
                "no site is named `hqq`; did you mean `hq`?",
            ),
            (
                Box::new(|o| o.site = bad_utf8.as_ptr().cast()),
                vpnha_status::VPNHA_INVALID_UTF8,
                "options.site: a string argument is not UTF-8",
            ),
            (
                Box::new(|o| o.max_failures = 0),
                vpnha_status::VPNHA_ANALYSIS_FAILED,
                "at most 0 simultaneous failures is out of range: give 1 to 12",
            ),
            (
                Box::new(|o| o.device_availability = 1.5),
                vpnha_status::VPNHA_ANALYSIS_FAILED,
                "availability `device` is 1.5, not a probability in (0, 1]",
            ),
            (
                Box::new(|o| o.zone_availability = 0.0),
                vpnha_status::VPNHA_ANALYSIS_FAILED,
                "availability `zone` is 0,",
            ),
            (
                Box::new(|o| {
                    o.capacity_shares = zero.as_ptr();
                    o.capacity_shares_len = 1;
                }),
                vpnha_status::VPNHA_ANALYSIS_FAILED,
                "capacity share 0 is not in (0, 1]",
            ),
            (
                Box::new(|o| o.capacity_shares_len = 2),
                vpnha_status::VPNHA_NULL_PARAMETER,
                "options.capacity_shares: a required pointer argument is NULL",
            ),
            (
                Box::new(|o| {
                    o.component_names = unknown.as_ptr();
                    o.component_availabilities = one.as_ptr();
                    o.component_availabilities_len = 1;
                }),
                vpnha_status::VPNHA_NOT_FOUND,
                "no component is named `hq-fw-z`; did you mean `hq-fw-a`?",
            ),
            (
                Box::new(|o| {
                    o.component_names = null_name.as_ptr();
                    o.component_availabilities = one.as_ptr();
                    o.component_availabilities_len = 1;
                }),
                vpnha_status::VPNHA_NULL_PARAMETER,
                "options.component_names[0]: a required pointer",
            ),
            (
                Box::new(|o| o.algorithm = 9),
                vpnha_status::VPNHA_INVALID_INPUT,
                "options.algorithm is 9: expected VPNHA_ALGORITHM_STABLE (0)",
            ),
            (
                Box::new(|o| o.flow_sample = 0),
                vpnha_status::VPNHA_ANALYSIS_FAILED,
                "a flow sample of 0 flows is out of range",
            ),
            (
                Box::new(|o| o.max_scenarios = 10),
                vpnha_status::VPNHA_ANALYSIS_FAILED,
                "site `hq` would need 80 scenarios, over the limit of 10",
            ),
            (
                Box::new(|o| o.struct_size = 8),
                vpnha_status::VPNHA_INVALID_INPUT,
                "options.struct_size is 8, a layout this library does not know",
            ),
        ];
        for (change, status, reason) in cases {
            let mut o = defaults();
            change(&mut o);
            match analyse_with(t, &o) {
                Ok(_) => panic!("{reason}: accepted"),
                Err((s, text)) => {
                    assert_eq!(s, status, "{text}");
                    assert!(text.starts_with(reason), "{text} is not {reason}");
                }
            }
        }
        // SAFETY: freed once.
        unsafe { vpnha_topology_free(t) };
    }

    #[test]
    fn the_error_text_is_cut_to_fit_and_its_length_is_the_full_one() {
        let t = topology(DUAL);
        let mut o = defaults();
        o.site = c"hqq".as_ptr();
        let full = "no site is named `hqq`; did you mean `hq`?";
        let mut analysis = null_mut();
        let mut buf = [0x55 as c_char; 8];
        let mut len = 0usize;
        // SAFETY (each call): live handle, options and outputs; buffers of the sizes given.
        unsafe {
            let s =
                vpnha_topology_analyze_with(t, &o, &mut analysis, buf.as_mut_ptr(), 8, &mut len);
            assert_eq!(s, vpnha_status::VPNHA_NOT_FOUND);
            assert_eq!(len, full.len());
            assert_eq!(c_str(buf.as_ptr(), 7), "no site");
            // No buffer: the status and the length alone.
            len = 0;
            let s = vpnha_topology_analyze_with(t, &o, &mut analysis, null_mut(), 0, &mut len);
            assert_eq!(s, vpnha_status::VPNHA_NOT_FOUND);
            assert_eq!(len, full.len());
            let s = vpnha_topology_analyze_with(t, &o, &mut analysis, null_mut(), 0, null_mut());
            assert_eq!(s, vpnha_status::VPNHA_NOT_FOUND);
            // A NULL buffer with a length is a refusal of its own.
            let s = vpnha_topology_analyze_with(t, &o, &mut analysis, null_mut(), 8, &mut len);
            assert_eq!(s, vpnha_status::VPNHA_NULL_PARAMETER);
            let s = vpnha_topology_analyze_with(t, null(), &mut analysis, null_mut(), 0, &mut len);
            assert_eq!(s, vpnha_status::VPNHA_NULL_PARAMETER);
            let s = vpnha_topology_analyze_with(null(), &o, &mut analysis, null_mut(), 0, &mut len);
            assert_eq!(s, vpnha_status::VPNHA_NULL_PARAMETER);
            let s = vpnha_topology_analyze_with(t, &o, null_mut(), null_mut(), 0, &mut len);
            assert_eq!(s, vpnha_status::VPNHA_NULL_PARAMETER);
            assert!(analysis.is_null());
            assert_eq!(len, full.len());
            vpnha_topology_free(t);
        }
    }

    #[test]
    fn the_default_options_need_their_size_and_room() {
        let mut o = std::mem::MaybeUninit::<vpnha_analysis_options>::zeroed();
        // SAFETY: a live output of the whole size, or NULL.
        unsafe {
            assert_eq!(
                vpnha_analysis_options_default(size_of::<vpnha_analysis_options>(), null_mut()),
                vpnha_status::VPNHA_NULL_PARAMETER
            );
            for size in [0, 8, size_of::<vpnha_analysis_options>() + 8] {
                assert_eq!(
                    vpnha_analysis_options_default(size, o.as_mut_ptr()),
                    vpnha_status::VPNHA_INVALID_INPUT
                );
            }
            assert_eq!(o.assume_init().struct_size, 0, "written on failure");
        }
    }
}
