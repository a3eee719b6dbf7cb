/*
 * The failure and availability analysis from C: the reports are what `vpnha analyze` prints,
 * byte for byte; the figures, single points of failure, cut sets and scenarios of the examples
 * are the ones the CLI reports; every call refuses NULLs and indices out of range and writes
 * nothing then; an analysis that cannot run gives VPNHA_ANALYSIS_FAILED; the options of
 * vpnha_topology_analyze_with give the reports `vpnha analyze` prints with the same options,
 * their availabilities the figures computed by hand, and every refusal its status and the
 * core's reason in the error buffer; threads share one analysis.
 *
 * Usage: test_analysis REPO_ROOT [CLI_REPORTS]
 *
 * CLI_REPORTS is the directory cli_reports.sh fills with `vpnha analyze`'s reports of the
 * examples, NAME.json and NAME.txt, and of its option cases, options-*.json and .txt; by default REPO_ROOT/bindings/c/tests/build/cli, where
 * `make test-c` writes them.
 *
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>

#include "check.h"

static const char *root;
static const char *cli_reports;

_Static_assert(VPNHA_ANALYSIS_FAILED == 12, "status numbers are fixed");
_Static_assert(VPNHA_DEFAULT_MAX_FAILURES == 2, "vpnha analyze enumerates up to 2 failures");

/* Three sites by name: branch, hq, and lonely, which no connection reaches. */
static const char THREE_SITES[] =
    "version: 1\n"
    "gateway: {sku: VpnGw2AZ, generation: Generation2, active_active: true,\n"
    "          instances: [{public_ip: 192.0.2.1}, {public_ip: 192.0.2.2}]}\n"
    "local_gateways:\n"
    "  - {name: a, site: hq, gateway_ip: 203.0.113.1}\n"
    "  - {name: b, site: branch, gateway_ip: 203.0.113.2}\n"
    "  - {name: c, site: lonely, gateway_ip: 203.0.113.3}\n"
    "connections: [{name: ca, local_gateway: a}, {name: cb, local_gateway: b}]\n";

static const char NO_SITES[] =
    "version: 1\n"
    "gateway: {sku: VpnGw1AZ, generation: Generation1, instances: [{public_ip: 192.0.2.1}]}\n";

/* The analysis of an example at the CLI's default failure count. */
static vpnha_analysis *analyse_example(const char *name) {
    vpnha_topology *t = parse_example(root, name);
    REQUIRE(t != NULL);
    vpnha_analysis *a = NULL;
    CHECK_STATUS(vpnha_topology_analyze(t, VPNHA_DEFAULT_MAX_FAILURES, &a), VPNHA_OK);
    vpnha_topology_free(t); /* the analysis does not need the topology */
    REQUIRE(a != NULL);
    return a;
}

typedef vpnha_status (*report_fn)(const vpnha_analysis *, char *, size_t, size_t *);

/* A report by the two-call pattern, in a heap buffer of exactly len + 1 bytes. */
static char *report(const vpnha_analysis *a, report_fn write, size_t *out_len) {
    size_t len = 0;
    CHECK_STATUS(write(a, NULL, 0, &len), VPNHA_BUFFER_TOO_SMALL);
    char *buf = malloc(len + 1);
    REQUIRE(buf != NULL);
    size_t got = 0;
    CHECK_STATUS(write(a, buf, len + 1, &got), VPNHA_OK);
    CHECK(got == len && strlen(buf) == len);
    *out_len = len;
    return buf;
}

static int near(double got, double want) { return fabs(got - want) <= 1e-12; }

static int str_is(const char *s, size_t len, const char *want) {
    return s != NULL && len == strlen(want) && strcmp(s, want) == 0;
}

/* ---- the reports are the CLI's -------------------------------------------------------- */

/* Compares a report of the C API with the CLI's report of the same name in cli_reports. */
static void check_report(const vpnha_analysis *a, const char *name) {
    static const char *const kinds[] = {"json", "txt"};
    static const report_fn writers[] = {vpnha_analysis_write_json, vpnha_analysis_write_text};
    for (size_t k = 0; k < 2; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.%s", cli_reports, name, kinds[k]);
        size_t want_len = 0, got_len = 0;
        char *want = read_file(path, &want_len);
        if (want == NULL) {
            fprintf(stderr, "%s is missing: run cli_reports.sh (make test-c does)\n", path);
        }
        REQUIRE(want != NULL);
        char *got = report(a, writers[k], &got_len);
        int same = got_len == want_len && memcmp(got, want, got_len) == 0;
        if (!same) fprintf(stderr, "%s: the C API's report differs from %s\n", name, path);
        CHECK(same);
        free(got);
        free(want);
    }
}

static void reports_are_what_vpnha_analyze_prints(void) {
    /* Every example the CLI analyses: clean ones, and broken ones analysed as written. */
    static const char *const names[] = {
        "active-active",      "active-standby", "dual-redundancy",     "multi-device",
        "broken-bgp",         "broken-gateway", "broken-connections",  "broken-multi-device",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        vpnha_analysis *a = analyse_example(names[i]);
        check_report(a, names[i]);
        vpnha_analysis_free(a);
    }
}

/* ---- figures and lists ------------------------------------------------------------------ */

static void active_standby_has_the_clis_figures_and_single_points_of_failure(void) {
    vpnha_analysis *a = analyse_example("active-standby");
    size_t n = 0;
    CHECK_STATUS(vpnha_analysis_site_count(a, &n), VPNHA_OK);
    CHECK(n == 1);
    vpnha_site_analysis s;
    CHECK_STATUS(vpnha_analysis_site(a, 0, &s), VPNHA_OK);
    CHECK(str_is(s.name, s.name_len, "berlin-fw"));
    CHECK(str_is(s.pattern, s.pattern_len, "active-standby"));
    CHECK(str_is(s.verdict, s.verdict_len, "redundancy-not-met"));
    CHECK(!s.redundancy_met);
    /* As `vpnha analyze examples/active-standby.yaml --format json` prints them. */
    CHECK(near(s.availability, 0.9987999602899476));
    CHECK(near(s.unavailability, 0.0012000397100524762));
    CHECK(near(s.nines, 2.9208043826429373));
    CHECK(fabs(s.downtime_minutes_per_month - 52.596660455860984) < 1e-9);
    CHECK(s.max_failures == 2 && s.tunnel_count == 1 && s.scenario_count == 17);

    static const char *const reasons[] = {"single-device", "active-standby-gateway", "shared-zone"};
    CHECK(s.reason_count == 3);
    for (size_t i = 0; i < 3 && i < s.reason_count; i++) {
        vpnha_redundancy_reason r;
        CHECK_STATUS(vpnha_analysis_reason(a, 0, i, &r), VPNHA_OK);
        CHECK(str_is(r.reason, r.reason_len, reasons[i]));
        CHECK(r.message_len > 0 && strlen(r.message) == r.message_len);
    }

    static const char *const spofs[] = {"zone:1", "berlin-fw", "berlin/0"};
    CHECK(s.single_point_of_failure_count == 3);
    for (size_t i = 0; i < 3 && i < s.single_point_of_failure_count; i++) {
        const char *name = NULL;
        size_t len = 0;
        CHECK_STATUS(vpnha_analysis_single_point_of_failure(a, 0, i, &name, &len), VPNHA_OK);
        CHECK(str_is(name, len, spofs[i]));
    }

    /* {zone:1} {berlin-fw} {berlin/0} {instance-0, standby} */
    CHECK(s.minimal_cut_set_count == 4);
    size_t size = 0;
    const char *name = NULL;
    size_t len = 0;
    CHECK_STATUS(vpnha_analysis_cut_set_size(a, 0, 0, &size), VPNHA_OK);
    CHECK(size == 1);
    CHECK_STATUS(vpnha_analysis_cut_set_size(a, 0, 3, &size), VPNHA_OK);
    CHECK(size == 2);
    CHECK_STATUS(vpnha_analysis_cut_set_component(a, 0, 3, 0, &name, &len), VPNHA_OK);
    CHECK(str_is(name, len, "instance-0"));
    CHECK_STATUS(vpnha_analysis_cut_set_component(a, 0, 3, 1, &name, NULL), VPNHA_OK);
    CHECK(strcmp(name, "standby") == 0);

    /* Planned maintenance first: instance-0, back within 10-15 s. */
    vpnha_scenario sc;
    CHECK_STATUS(vpnha_analysis_scenario(a, 0, 0, &sc), VPNHA_OK);
    CHECK(sc.planned && sc.reachable && sc.failed_count == 1 && sc.surviving_tunnel_count == 1);
    CHECK(sc.interruption_min_seconds == 10 && sc.interruption_max_seconds == 15);
    CHECK(str_is(sc.cause, sc.cause_len, "planned-maintenance"));
    CHECK(strstr(sc.assumption, "10–15 s") != NULL && strlen(sc.assumption) == sc.assumption_len);
    CHECK(sc.moved_share == 0.0 && sc.affected_share == 1.0);
    CHECK_STATUS(vpnha_analysis_scenario_failed(a, 0, 0, 0, &name, &len), VPNHA_OK);
    CHECK(str_is(name, len, "instance-0"));
    /* An unplanned failure of instance-0: the standby takes over in 1-3 min. */
    CHECK_STATUS(vpnha_analysis_scenario(a, 0, 2, &sc), VPNHA_OK);
    CHECK(!sc.planned && sc.reachable);
    CHECK(sc.interruption_min_seconds == 60 && sc.interruption_max_seconds == 180);
    CHECK(str_is(sc.cause, sc.cause_len, "active-standby-failover"));
    /* The zone: an outage, with no duration assumed. */
    CHECK_STATUS(vpnha_analysis_scenario(a, 0, 4, &sc), VPNHA_OK);
    CHECK(!sc.reachable && sc.surviving_tunnel_count == 0);
    CHECK(sc.interruption_min_seconds == VPNHA_UNBOUNDED);
    CHECK(sc.interruption_max_seconds == VPNHA_UNBOUNDED);
    CHECK(str_is(sc.cause, sc.cause_len, "outage"));
    CHECK_STATUS(vpnha_analysis_scenario_failed(a, 0, 4, 0, &name, &len), VPNHA_OK);
    CHECK(str_is(name, len, "zone:1"));
    /* The last: a pair of failures. */
    CHECK_STATUS(vpnha_analysis_scenario(a, 0, 16, &sc), VPNHA_OK);
    CHECK(sc.failed_count == 2 && !sc.planned);
    vpnha_analysis_free(a);
}

static void dual_redundancy_meets_redundancy_with_no_single_point_of_failure(void) {
    vpnha_analysis *a = analyse_example("dual-redundancy");
    vpnha_site_analysis s;
    CHECK_STATUS(vpnha_analysis_site(a, 0, &s), VPNHA_OK);
    CHECK(str_is(s.name, s.name_len, "hq"));
    CHECK(str_is(s.verdict, s.verdict_len, "redundancy-met"));
    CHECK(s.redundancy_met && s.reason_count == 0 && s.single_point_of_failure_count == 0);
    CHECK(near(s.availability, 0.9999956435301658));
    CHECK(near(s.nines, 5.360865288831294));
    CHECK(fabs(s.downtime_minutes_per_month - 0.19094015201144635) < 1e-12);
    /* Every cut set is a pair: two instances, two devices, two ISPs, ... */
    CHECK(s.minimal_cut_set_count == 8 && s.scenario_count == 80 && s.tunnel_count == 4);
    for (size_t c = 0; c < s.minimal_cut_set_count; c++) {
        size_t size = 0;
        CHECK_STATUS(vpnha_analysis_cut_set_size(a, 0, c, &size), VPNHA_OK);
        CHECK(size == 2);
    }
    /* Shares of moved flows are measured, and no single failure cuts the site off. */
    for (size_t i = 0; i < s.scenario_count; i++) {
        vpnha_scenario sc;
        CHECK_STATUS(vpnha_analysis_scenario(a, 0, i, &sc), VPNHA_OK);
        CHECK(sc.moved_share >= 0.0 && sc.moved_share <= 1.0);
        if (sc.failed_count == 1) CHECK(sc.reachable && sc.interruption_max_seconds <= 180);
    }
    vpnha_analysis_free(a);

    /* Three failures at once: more scenarios, and cut sets of three. */
    vpnha_topology *t = parse_example(root, "dual-redundancy");
    REQUIRE(t != NULL);
    CHECK_STATUS(vpnha_topology_analyze(t, 3, &a), VPNHA_OK);
    CHECK_STATUS(vpnha_analysis_site(a, 0, &s), VPNHA_OK);
    CHECK(s.max_failures == 3 && s.scenario_count > 80 && s.minimal_cut_set_count > 8);
    vpnha_analysis_free(a);
    vpnha_topology_free(t);
}

static void sites_are_numbered_as_the_topology_numbers_them(void) {
    vpnha_topology *t = parse_text(THREE_SITES, sizeof THREE_SITES - 1, VPNHA_FORMAT_YAML);
    REQUIRE(t != NULL);
    vpnha_analysis *a = NULL;
    CHECK_STATUS(vpnha_topology_analyze(t, 1, &a), VPNHA_OK);
    size_t n = 0, sites = 0;
    CHECK_STATUS(vpnha_analysis_site_count(a, &n), VPNHA_OK);
    CHECK_STATUS(vpnha_topology_site_count(t, &sites), VPNHA_OK);
    CHECK(n == 3 && sites == 3);
    for (size_t i = 0; i < n; i++) {
        char name[64];
        size_t len = 0;
        vpnha_site_analysis s;
        CHECK_STATUS(vpnha_topology_site_name(t, i, name, sizeof name, &len), VPNHA_OK);
        CHECK_STATUS(vpnha_analysis_site(a, i, &s), VPNHA_OK);
        CHECK(str_is(s.name, s.name_len, name));
    }
    /* lonely: no tunnel, so unreachable, cut off by nothing at all, and no ECMP group. */
    vpnha_site_analysis lonely;
    CHECK_STATUS(vpnha_analysis_site(a, 2, &lonely), VPNHA_OK);
    CHECK(str_is(lonely.pattern, lonely.pattern_len, ""));
    CHECK(lonely.availability == 0.0 && lonely.tunnel_count == 0 && !lonely.redundancy_met);
    CHECK(lonely.minimal_cut_set_count == 1);
    size_t size = 99;
    CHECK_STATUS(vpnha_analysis_cut_set_size(a, 2, 0, &size), VPNHA_OK);
    CHECK(size == 0);
    vpnha_redundancy_reason r;
    CHECK_STATUS(vpnha_analysis_reason(a, 2, 0, &r), VPNHA_OK);
    CHECK(str_is(r.reason, r.reason_len, "no-tunnels"));
    CHECK(lonely.scenario_count > 0);
    vpnha_scenario sc;
    CHECK_STATUS(vpnha_analysis_scenario(a, 2, 0, &sc), VPNHA_OK);
    CHECK(!sc.reachable && isnan(sc.moved_share) && isnan(sc.affected_share));
    vpnha_analysis_free(a);
    vpnha_topology_free(t);
}

/* ---- refusals ----------------------------------------------------------------------------- */

static void an_analysis_that_cannot_run_is_refused(void) {
    vpnha_topology *t = parse_example(root, "dual-redundancy");
    REQUIRE(t != NULL);
    vpnha_analysis *const sentinel = (vpnha_analysis *)&t;
    /* 0 failures, more than the site's 12 components, no sites at all. */
    static const size_t ks[] = {0, 13, 99, SIZE_MAX};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        vpnha_analysis *a = sentinel;
        CHECK_STATUS(vpnha_topology_analyze(t, ks[i], &a), VPNHA_ANALYSIS_FAILED);
        CHECK(a == sentinel);
    }
    vpnha_analysis *a = NULL;
    CHECK_STATUS(vpnha_topology_analyze(t, 12, &a), VPNHA_OK);
    vpnha_analysis_free(a);
    vpnha_topology_free(t);

    t = parse_text(NO_SITES, sizeof NO_SITES - 1, VPNHA_FORMAT_YAML);
    REQUIRE(t != NULL);
    a = sentinel;
    CHECK_STATUS(vpnha_topology_analyze(t, VPNHA_DEFAULT_MAX_FAILURES, &a), VPNHA_ANALYSIS_FAILED);
    CHECK(a == sentinel);
    vpnha_topology_free(t);
    CHECK(strcmp(vpnha_status_message(VPNHA_ANALYSIS_FAILED), "unknown status") != 0);
}

static void analysis_calls_refuse_null_and_write_nothing(void) {
    vpnha_topology *t = parse_example(root, "active-standby");
    REQUIRE(t != NULL);
    vpnha_analysis *a = NULL;
    CHECK_STATUS(vpnha_topology_analyze(NULL, 2, &a), VPNHA_NULL_PARAMETER);
    CHECK(a == NULL);
    CHECK_STATUS(vpnha_topology_analyze(t, 2, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_analyze(t, 2, &a), VPNHA_OK);

    size_t n = 77;
    const char *name = (const char *)&n;
    size_t len = 77;
    /* Filled with a pattern, compared as bytes: nothing may be written on failure. */
    vpnha_site_analysis s;
    vpnha_redundancy_reason r;
    vpnha_scenario sc;
    unsigned char pattern[sizeof s + sizeof r + sizeof sc];
    memset(pattern, 0x55, sizeof pattern);
    memset(&s, 0x55, sizeof s);
    memset(&r, 0x55, sizeof r);
    memset(&sc, 0x55, sizeof sc);
    CHECK_STATUS(vpnha_analysis_site_count(NULL, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_site_count(a, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_site(NULL, 0, &s), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_site(a, 0, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_reason(NULL, 0, 0, &r), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_reason(a, 0, 0, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_single_point_of_failure(NULL, 0, 0, &name, &len),
                 VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_single_point_of_failure(a, 0, 0, NULL, &len),
                 VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_cut_set_size(NULL, 0, 0, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_cut_set_size(a, 0, 0, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_cut_set_component(NULL, 0, 0, 0, &name, &len),
                 VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_cut_set_component(a, 0, 0, 0, NULL, &len), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_scenario(NULL, 0, 0, &sc), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_scenario(a, 0, 0, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_scenario_failed(NULL, 0, 0, 0, &name, &len),
                 VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_scenario_failed(a, 0, 0, 0, NULL, &len), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_write_text(NULL, NULL, 0, &len), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_write_json(NULL, NULL, 0, &len), VPNHA_NULL_PARAMETER);
    CHECK(n == 77 && len == 77 && name == (const char *)&n);
    CHECK(memcmp(&s, pattern, sizeof s) == 0 && memcmp(&r, pattern, sizeof r) == 0);
    CHECK(memcmp(&sc, pattern, sizeof sc) == 0);
    vpnha_analysis_free(a);
    vpnha_topology_free(t);
}

static void indices_out_of_range_are_refused_and_write_nothing(void) {
    vpnha_analysis *a = analyse_example("active-standby");
    vpnha_site_analysis s;
    CHECK_STATUS(vpnha_analysis_site(a, 0, &s), VPNHA_OK);
    size_t n = 77;
    const char *name = (const char *)&n;
    size_t len = 77;
    vpnha_site_analysis s1;
    vpnha_redundancy_reason r;
    vpnha_scenario sc;
    unsigned char pattern[sizeof s1 + sizeof r + sizeof sc];
    memset(pattern, 0x55, sizeof pattern);
    memset(&s1, 0x55, sizeof s1);
    memset(&r, 0x55, sizeof r);
    memset(&sc, 0x55, sizeof sc);
    CHECK_STATUS(vpnha_analysis_site(a, 1, &s1), VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_analysis_site(a, SIZE_MAX, &s1), VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_analysis_reason(a, 0, s.reason_count, &r), VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_analysis_reason(a, 1, 0, &r), VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_analysis_single_point_of_failure(a, 0, s.single_point_of_failure_count,
                                                        &name, &len),
                 VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_analysis_single_point_of_failure(a, 1, 0, &name, &len),
                 VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_analysis_cut_set_size(a, 0, s.minimal_cut_set_count, &n),
                 VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_analysis_cut_set_size(a, 1, 0, &n), VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_analysis_cut_set_component(a, 0, s.minimal_cut_set_count, 0, &name, &len),
                 VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_analysis_cut_set_component(a, 0, 0, 1, &name, &len), VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_analysis_cut_set_component(a, 1, 0, 0, &name, &len), VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_analysis_scenario(a, 0, s.scenario_count, &sc), VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_analysis_scenario(a, 1, 0, &sc), VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_analysis_scenario_failed(a, 0, s.scenario_count, 0, &name, &len),
                 VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_analysis_scenario_failed(a, 0, 0, 1, &name, &len), VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_analysis_scenario_failed(a, 1, 0, 0, &name, &len), VPNHA_OUT_OF_RANGE);
    CHECK(n == 77 && len == 77 && name == (const char *)&n);
    CHECK(memcmp(&s1, pattern, sizeof s1) == 0 && memcmp(&r, pattern, sizeof r) == 0);
    CHECK(memcmp(&sc, pattern, sizeof sc) == 0);
    vpnha_analysis_free(a);
}

static void reports_need_room_for_the_nul(void) {
    vpnha_analysis *a = analyse_example("active-standby");
    static const report_fn writers[] = {vpnha_analysis_write_text, vpnha_analysis_write_json};
    for (size_t k = 0; k < 2; k++) {
        size_t len = 0;
        CHECK_STATUS(writers[k](a, NULL, 0, &len), VPNHA_BUFFER_TOO_SMALL);
        CHECK(len > 100);
        char *buf = malloc(len + 1);
        REQUIRE(buf != NULL);
        memset(buf, 'x', len + 1);
        size_t got = 0;
        /* Room for the text but not its NUL: nothing written but the length. */
        CHECK_STATUS(writers[k](a, buf, len, &got), VPNHA_BUFFER_TOO_SMALL);
        CHECK(got == len && buf[0] == 'x' && buf[len - 1] == 'x');
        got = 0;
        CHECK_STATUS(writers[k](a, NULL, 8, &got), VPNHA_NULL_PARAMETER);
        CHECK_STATUS(writers[k](a, buf, len + 1, NULL), VPNHA_NULL_PARAMETER);
        CHECK(got == 0 && buf[0] == 'x');
        CHECK_STATUS(writers[k](a, buf, len + 1, &got), VPNHA_OK);
        CHECK(got == len && buf[len] == '\0' && buf[len - 1] == '\n');
        free(buf);
    }
    vpnha_analysis_free(a);
    vpnha_analysis_free(NULL); /* a no-op */
}

/* ---- options ---------------------------------------------------------------------------- */

static vpnha_analysis_options default_options(void) {
    vpnha_analysis_options o;
    memset(&o, 0x55, sizeof o);
    CHECK_STATUS(vpnha_analysis_options_default(sizeof o, &o), VPNHA_OK);
    return o;
}

/* vpnha_topology_analyze_with, checking that a failure writes nothing to the output and a
 * NUL-terminated reason of the length it gives; the reason is left in `error`. */
static vpnha_analysis *analyse_with(const vpnha_topology *t, const vpnha_analysis_options *o,
                                    vpnha_status want, char *error, size_t error_len) {
    vpnha_analysis *const sentinel = (vpnha_analysis *)&sentinel;
    vpnha_analysis *a = sentinel;
    size_t len = SIZE_MAX;
    memset(error, 'x', error_len);
    CHECK_STATUS(vpnha_topology_analyze_with(t, o, &a, error, error_len, &len), want);
    if (want == VPNHA_OK) {
        CHECK(a != sentinel && a != NULL);
        CHECK(len == SIZE_MAX && error[0] == 'x'); /* no reason on success */
        return a == sentinel ? NULL : a;
    }
    CHECK(a == sentinel);
    CHECK(len < error_len && strlen(error) == len && len > 0);
    return NULL;
}

static void the_default_options_analyse_as_vpnha_topology_analyze(void) {
    vpnha_analysis_options o = default_options();
    CHECK(o.struct_size == sizeof o);
    CHECK(o.max_failures == VPNHA_DEFAULT_MAX_FAILURES && o.site == NULL);
    CHECK(o.algorithm == VPNHA_ALGORITHM_STABLE && o.seed == 0);
    CHECK(o.flow_sample == VPNHA_DEFAULT_FLOW_SAMPLE);
    CHECK(o.max_scenarios == VPNHA_DEFAULT_MAX_SCENARIOS);
    CHECK(o.capacity_shares == NULL && o.capacity_shares_len == 0);
    CHECK(isnan(o.gateway_instance_availability) && isnan(o.device_availability) &&
          isnan(o.isp_availability) && isnan(o.tunnel_availability) &&
          isnan(o.zone_availability));
    CHECK(o.component_names == NULL && o.component_availabilities == NULL &&
          o.component_availabilities_len == 0);
    CHECK(o.site_weights == NULL && o.site_weights_len == 0);

    /* The same reports as the CLI's without options, for every example. */
    static const char *const names[] = {"active-standby", "dual-redundancy", "broken-bgp"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        vpnha_topology *t = parse_example(root, names[i]);
        REQUIRE(t != NULL);
        char error[512];
        vpnha_analysis *a = analyse_with(t, &o, VPNHA_OK, error, sizeof error);
        vpnha_topology_free(t);
        if (a != NULL) check_report(a, names[i]);
        vpnha_analysis_free(a);
    }

    /* Nothing is written without room for the whole structure, or with a size unknown. */
    vpnha_analysis_options p;
    memset(&p, 0x55, sizeof p);
    unsigned char pattern[sizeof p];
    memset(pattern, 0x55, sizeof pattern);
    CHECK_STATUS(vpnha_analysis_options_default(sizeof p, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_analysis_options_default(0, &p), VPNHA_INVALID_INPUT);
    CHECK_STATUS(vpnha_analysis_options_default(sizeof p - 8, &p), VPNHA_INVALID_INPUT);
    CHECK_STATUS(vpnha_analysis_options_default(sizeof p + 8, &p), VPNHA_INVALID_INPUT);
    CHECK(memcmp(&p, pattern, sizeof p) == 0);
}

static void options_give_the_reports_of_vpnha_analyze_with_the_same_options(void) {
    char error[512];
    /* vpnha analyze --site a --max-failures 3 --algorithm maglev --seed 7 --capacity 0.25 */
    vpnha_topology *t = parse_example(root, "broken-bgp");
    REQUIRE(t != NULL);
    vpnha_analysis_options o = default_options();
    static const double quarter[] = {0.25};
    o.site = "a";
    o.max_failures = 3;
    o.algorithm = VPNHA_ALGORITHM_MAGLEV;
    o.seed = 7;
    o.capacity_shares = quarter;
    o.capacity_shares_len = 1;
    vpnha_analysis *a = analyse_with(t, &o, VPNHA_OK, error, sizeof error);
    vpnha_topology_free(t);
    REQUIRE(a != NULL);
    size_t n = 0;
    CHECK_STATUS(vpnha_analysis_site_count(a, &n), VPNHA_OK);
    CHECK(n == 1); /* the site named, at index 0, of three */
    vpnha_site_analysis s;
    CHECK_STATUS(vpnha_analysis_site(a, 0, &s), VPNHA_OK);
    CHECK(str_is(s.name, s.name_len, "a") && s.max_failures == 3);
    check_report(a, "options-broken-bgp-a");
    vpnha_analysis_free(a);

    /* vpnha analyze --max-failures 3 --algorithm rendezvous --seed 99 --capacity 0.75
     *               --capacity 0.25 */
    t = parse_example(root, "dual-redundancy");
    REQUIRE(t != NULL);
    static const double shares[] = {0.75, 0.25};
    o = default_options();
    o.max_failures = 3;
    o.algorithm = VPNHA_ALGORITHM_RENDEZVOUS;
    o.seed = 99;
    o.capacity_shares = shares;
    o.capacity_shares_len = 2;
    a = analyse_with(t, &o, VPNHA_OK, error, sizeof error);
    REQUIRE(a != NULL);
    check_report(a, "options-dual-redundancy");
    vpnha_analysis_free(a);

    /* Weights reach the site's group: a standby tunnel (weight 0) carries no flows, so its
     * failure moves none. The site's tunnels: hq-a/0, hq-a/1, hq-b/0, hq-b/1. */
    static const uint32_t weights[] = {1, 1, 1, 0};
    const vpnha_site_weights hq = {.site = "hq", .weights = weights, .weights_len = 4};
    o = default_options();
    o.site_weights = &hq;
    o.site_weights_len = 1;
    a = analyse_with(t, &o, VPNHA_OK, error, sizeof error);
    REQUIRE(a != NULL);
    CHECK_STATUS(vpnha_analysis_site(a, 0, &s), VPNHA_OK);
    size_t standby_failures = 0;
    for (size_t i = 0; i < s.scenario_count; i++) {
        vpnha_scenario sc;
        const char *name = NULL;
        CHECK_STATUS(vpnha_analysis_scenario(a, 0, i, &sc), VPNHA_OK);
        CHECK_STATUS(vpnha_analysis_scenario_failed(a, 0, i, 0, &name, NULL), VPNHA_OK);
        if (sc.failed_count == 1 && name != NULL && strcmp(name, "hq-b/1") == 0) {
            standby_failures++;
            CHECK(sc.moved_share == 0.0 && sc.affected_share == 0.0);
        }
    }
    CHECK(standby_failures == 1);
    vpnha_analysis_free(a);
    vpnha_topology_free(t);
}

static void availabilities_in_the_options_change_the_figures(void) {
    /* active-standby.yaml: zone:1, then instance-0 or the standby, then berlin-fw and its
     * tunnel, in series; no ISP is named. Every kind at 0.99: */
    const double p = 0.99;
    const double want = p * (1.0 - (1.0 - p) * (1.0 - p)) * p * p;
    vpnha_topology *t = parse_example(root, "active-standby");
    REQUIRE(t != NULL);
    vpnha_analysis_options o = default_options();
    o.gateway_instance_availability = p;
    o.device_availability = p;
    o.isp_availability = p;
    o.tunnel_availability = p;
    o.zone_availability = p;
    char error[512];
    vpnha_analysis *a = analyse_with(t, &o, VPNHA_OK, error, sizeof error);
    REQUIRE(a != NULL);
    vpnha_site_analysis s;
    CHECK_STATUS(vpnha_analysis_site(a, 0, &s), VPNHA_OK);
    CHECK(near(s.availability, want));
    CHECK(fabs(s.unavailability - (1.0 - want)) <= 1e-12);
    CHECK(near(s.nines, -log10(s.unavailability)));
    vpnha_analysis_free(a);

    /* One component over its kind: the device at 0.9 instead. */
    const char *const names[] = {"berlin-fw"};
    static const double values[] = {0.9};
    o.component_names = names;
    o.component_availabilities = values;
    o.component_availabilities_len = 1;
    a = analyse_with(t, &o, VPNHA_OK, error, sizeof error);
    REQUIRE(a != NULL);
    CHECK_STATUS(vpnha_analysis_site(a, 0, &s), VPNHA_OK);
    CHECK(near(s.availability, want / p * 0.9));
    vpnha_analysis_free(a);

    /* Only the device given: the others keep their documented defaults (the JSON lists them
     * as defaulted), and the figure is between. */
    o = default_options();
    o.device_availability = p;
    a = analyse_with(t, &o, VPNHA_OK, error, sizeof error);
    REQUIRE(a != NULL);
    CHECK_STATUS(vpnha_analysis_site(a, 0, &s), VPNHA_OK);
    CHECK(s.availability < p && s.availability > want);
    size_t len = 0;
    char *json = report(a, vpnha_analysis_write_json, &len);
    CHECK(strstr(json, "\"device\": 0.99,") != NULL);
    CHECK(strstr(json, "\"defaulted\": [\n    \"gateway_instance\",\n    \"isp\",") != NULL);
    free(json);
    vpnha_analysis_free(a);
    vpnha_topology_free(t);
}

static void refused_options_give_the_status_and_the_reason(void) {
    vpnha_topology *t = parse_example(root, "dual-redundancy");
    REQUIRE(t != NULL);
    char error[512];
    vpnha_analysis_options o = default_options();

    /* An unknown site: VPNHA_NOT_FOUND, as vpnha_topology_site_find, with the core's
     * suggestion. */
    o.site = "hqq";
    analyse_with(t, &o, VPNHA_NOT_FOUND, error, sizeof error);
    CHECK(strcmp(error, "no site is named `hqq`; did you mean `hq`?") == 0);
    o.site = "nowhere";
    analyse_with(t, &o, VPNHA_NOT_FOUND, error, sizeof error);
    CHECK(strcmp(error, "no site is named `nowhere`; the sites are `hq`") == 0);
    /* Not UTF-8. */
    static const char bad[] = {'h', (char)0xff, 'q', 0};
    o.site = bad;
    analyse_with(t, &o, VPNHA_INVALID_UTF8, error, sizeof error);
    CHECK(strcmp(error, "options.site: a string argument is not UTF-8") == 0);
    o.site = "hq"; /* the one site, by name: accepted */
    vpnha_analysis_free(analyse_with(t, &o, VPNHA_OK, error, sizeof error));

    /* Out of the core's ranges: VPNHA_ANALYSIS_FAILED and what to change. */
    o = default_options();
    o.device_availability = 1.5;
    analyse_with(t, &o, VPNHA_ANALYSIS_FAILED, error, sizeof error);
    CHECK(strstr(error, "availability `device` is 1.5, not a probability in (0, 1]") == error);
    o.device_availability = 0.0; /* 0 is a value, not "not given" */
    analyse_with(t, &o, VPNHA_ANALYSIS_FAILED, error, sizeof error);
    CHECK(strstr(error, "availability `device` is 0,") == error);
    o = default_options();
    static const double zero_share[] = {0.5, 0.0};
    o.capacity_shares = zero_share;
    o.capacity_shares_len = 2;
    analyse_with(t, &o, VPNHA_ANALYSIS_FAILED, error, sizeof error);
    CHECK(strstr(error, "capacity share 0 is not in (0, 1]") == error);
    o = default_options();
    o.max_failures = 0;
    analyse_with(t, &o, VPNHA_ANALYSIS_FAILED, error, sizeof error);
    CHECK(strstr(error, "at most 0 simultaneous failures is out of range: give 1 to 12") == error);
    o.max_failures = 13;
    analyse_with(t, &o, VPNHA_ANALYSIS_FAILED, error, sizeof error);
    o = default_options();
    o.flow_sample = VPNHA_MAX_FLOW_SAMPLE + 1;
    analyse_with(t, &o, VPNHA_ANALYSIS_FAILED, error, sizeof error);
    o = default_options();
    o.max_scenarios = 79; /* hq needs 80 at two failures */
    analyse_with(t, &o, VPNHA_ANALYSIS_FAILED, error, sizeof error);
    CHECK(strstr(error, "would need 80 scenarios, over the limit of 79") != NULL);
    o = default_options();
    static const uint32_t three[] = {1, 1, 1};
    const vpnha_site_weights short_weights = {.site = "hq", .weights = three, .weights_len = 3};
    o.site_weights = &short_weights;
    o.site_weights_len = 1;
    analyse_with(t, &o, VPNHA_ANALYSIS_FAILED, error, sizeof error);
    CHECK(strncmp(error, "site `hq`: ", 11) == 0);

    /* Components by name: unknown ones are VPNHA_NOT_FOUND; values out of range 12. */
    o = default_options();
    const char *names[] = {"hq-fw-z"};
    double values[] = {0.9};
    o.component_names = names;
    o.component_availabilities = values;
    o.component_availabilities_len = 1;
    analyse_with(t, &o, VPNHA_NOT_FOUND, error, sizeof error);
    CHECK(strcmp(error, "no component is named `hq-fw-z`; did you mean `hq-fw-a`?") == 0);
    names[0] = "hq-fw-a";
    values[0] = NAN;
    analyse_with(t, &o, VPNHA_ANALYSIS_FAILED, error, sizeof error);
    CHECK(strstr(error, "availability `hq-fw-a` is NaN") == error);
    names[0] = NULL;
    analyse_with(t, &o, VPNHA_NULL_PARAMETER, error, sizeof error);
    CHECK(strcmp(error, "options.component_names[0]: a required pointer argument is NULL") == 0);
    o.component_names = NULL;
    analyse_with(t, &o, VPNHA_NULL_PARAMETER, error, sizeof error);
    CHECK(strcmp(error, "options.component_names: a required pointer argument is NULL") == 0);

    /* The structure itself: an unknown algorithm, a size this library does not know. */
    o = default_options();
    o.algorithm = 4;
    analyse_with(t, &o, VPNHA_INVALID_INPUT, error, sizeof error);
    CHECK(strstr(error, "options.algorithm is 4: expected VPNHA_ALGORITHM_STABLE (0)") == error);
    o = default_options();
    o.struct_size = 0; /* never initialised, say */
    analyse_with(t, &o, VPNHA_INVALID_INPUT, error, sizeof error);
    CHECK(strstr(error, "options.struct_size is 0") == error);
    o.struct_size = sizeof o + 8; /* a newer header than the library */
    analyse_with(t, &o, VPNHA_INVALID_INPUT, error, sizeof error);
    vpnha_topology_free(t);
}

static void the_error_buffer_follows_the_conventions_of_vpnha_topology_parse(void) {
    vpnha_topology *t = parse_example(root, "dual-redundancy");
    REQUIRE(t != NULL);
    vpnha_analysis_options o = default_options();
    o.site = "hqq";
    const char *full = "no site is named `hqq`; did you mean `hq`?";
    vpnha_analysis *const sentinel = (vpnha_analysis *)&sentinel;
    vpnha_analysis *a = sentinel;
    char small[8];
    size_t len = 0;
    /* Too small: cut to fit and NUL-terminated, as snprintf; the full length comes back. */
    CHECK_STATUS(vpnha_topology_analyze_with(t, &o, &a, small, sizeof small, &len),
                 VPNHA_NOT_FOUND);
    CHECK(len == strlen(full) && strcmp(small, "no site") == 0);
    /* No buffer: the status and the length the reason needs. */
    len = 0;
    CHECK_STATUS(vpnha_topology_analyze_with(t, &o, &a, NULL, 0, &len), VPNHA_NOT_FOUND);
    CHECK(len == strlen(full));
    CHECK_STATUS(vpnha_topology_analyze_with(t, &o, &a, NULL, 0, NULL), VPNHA_NOT_FOUND);
    /* A buffer of one byte holds the NUL alone. */
    small[0] = 'x';
    CHECK_STATUS(vpnha_topology_analyze_with(t, &o, &a, small, 1, NULL), VPNHA_NOT_FOUND);
    CHECK(small[0] == '\0');

    /* Refusals of the arguments themselves give their status and no text. */
    len = 77;
    memset(small, 'x', sizeof small);
    CHECK_STATUS(vpnha_topology_analyze_with(t, &o, &a, NULL, 8, &len), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_analyze_with(t, NULL, &a, small, sizeof small, &len),
                 VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_analyze_with(NULL, &o, &a, small, sizeof small, &len),
                 VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_analyze_with(t, &o, NULL, small, sizeof small, &len),
                 VPNHA_NULL_PARAMETER);
    CHECK(len == 77 && small[0] == 'x' && a == sentinel);

    /* Success writes no text, and a buffer is not needed. */
    o.site = NULL;
    a = NULL;
    CHECK_STATUS(vpnha_topology_analyze_with(t, &o, &a, NULL, 0, &len), VPNHA_OK);
    CHECK(a != NULL && len == 77);
    vpnha_analysis_free(a);
    vpnha_topology_free(t);
}

/* ---- threads --------------------------------------------------------------------------- */

enum { THREADS = 4 };

struct reader {
    const vpnha_analysis *analysis;
    char *json;
    size_t len;
};

static void *read_json(void *arg) {
    struct reader *r = arg;
    size_t len = 0;
    if (vpnha_analysis_write_json(r->analysis, NULL, 0, &len) != VPNHA_BUFFER_TOO_SMALL) {
        return NULL;
    }
    r->json = malloc(len + 1);
    if (r->json != NULL &&
        vpnha_analysis_write_json(r->analysis, r->json, len + 1, &r->len) != VPNHA_OK) {
        free(r->json);
        r->json = NULL;
    }
    return NULL;
}

static void threads_share_one_analysis(void) {
    /* The reports are made on first use: the threads race to make them, and all read one. */
    vpnha_analysis *a = analyse_example("multi-device");
    pthread_t th[THREADS];
    struct reader readers[THREADS];
    for (size_t i = 0; i < THREADS; i++) {
        readers[i] = (struct reader){.analysis = a, .json = NULL, .len = 0};
        REQUIRE(pthread_create(&th[i], NULL, read_json, &readers[i]) == 0);
    }
    for (size_t i = 0; i < THREADS; i++) REQUIRE(pthread_join(th[i], NULL) == 0);
    for (size_t i = 0; i < THREADS; i++) {
        CHECK(readers[i].json != NULL);
        if (readers[i].json != NULL && readers[0].json != NULL) {
            CHECK(readers[i].len == readers[0].len &&
                  memcmp(readers[i].json, readers[0].json, readers[0].len) == 0);
        }
    }
    for (size_t i = 0; i < THREADS; i++) free(readers[i].json);
    vpnha_analysis_free(a);
}

int main(int argc, char **argv) {
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: test_analysis REPO_ROOT [CLI_REPORTS]\n");
        return 2;
    }
    root = argv[1];
    static char default_reports[4096];
    snprintf(default_reports, sizeof default_reports, "%s/bindings/c/tests/build/cli", root);
    cli_reports = argc == 3 ? argv[2] : default_reports;
    RUN(reports_are_what_vpnha_analyze_prints);
    RUN(active_standby_has_the_clis_figures_and_single_points_of_failure);
    RUN(dual_redundancy_meets_redundancy_with_no_single_point_of_failure);
    RUN(sites_are_numbered_as_the_topology_numbers_them);
    RUN(an_analysis_that_cannot_run_is_refused);
    RUN(analysis_calls_refuse_null_and_write_nothing);
    RUN(indices_out_of_range_are_refused_and_write_nothing);
    RUN(reports_need_room_for_the_nul);
    RUN(the_default_options_analyse_as_vpnha_topology_analyze);
    RUN(options_give_the_reports_of_vpnha_analyze_with_the_same_options);
    RUN(availabilities_in_the_options_change_the_figures);
    RUN(refused_options_give_the_status_and_the_reason);
    RUN(the_error_buffer_follows_the_conventions_of_vpnha_topology_parse);
    RUN(threads_share_one_analysis);
    return check_summary("test_analysis");
}
