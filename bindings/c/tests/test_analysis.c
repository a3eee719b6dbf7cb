/*
 * The failure and availability analysis from C: the reports are what `vpnha analyze` prints,
 * byte for byte; the figures, single points of failure, cut sets and scenarios of the examples
 * are the ones the CLI reports; every call refuses NULLs and indices out of range and writes
 * nothing then; an analysis that cannot run gives VPNHA_ANALYSIS_FAILED; threads share one
 * analysis.
 *
 * Usage: test_analysis REPO_ROOT [CLI_REPORTS]
 *
 * CLI_REPORTS is the directory cli_reports.sh fills with `vpnha analyze`'s reports of the
 * examples, NAME.json and NAME.txt; by default REPO_ROOT/bindings/c/tests/build/cli, where
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

static vpnha_topology *parse_text(const char *text, size_t len) {
    vpnha_topology *t = NULL;
    char err[512];
    vpnha_status s = vpnha_topology_parse(text, len, VPNHA_FORMAT_YAML, &t, err, sizeof err, NULL);
    if (s != VPNHA_OK) {
        fprintf(stderr, "parse failed (%s): %s\n", vpnha_status_message(s), err);
        return NULL;
    }
    return t;
}

static vpnha_topology *parse_example(const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/%s.yaml", root, name);
    size_t len = 0;
    char *text = read_file(path, &len);
    REQUIRE(text != NULL);
    vpnha_topology *t = parse_text(text, len);
    free(text);
    REQUIRE(t != NULL);
    return t;
}

/* The analysis of an example at the CLI's default failure count. */
static vpnha_analysis *analyse_example(const char *name) {
    vpnha_topology *t = parse_example(name);
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

static void reports_are_what_vpnha_analyze_prints(void) {
    /* Every example the CLI analyses: clean ones, and broken ones analysed as written. */
    static const char *const names[] = {
        "active-active",      "active-standby", "dual-redundancy",     "multi-device",
        "broken-bgp",         "broken-gateway", "broken-connections",  "broken-multi-device",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        vpnha_analysis *a = analyse_example(names[i]);
        static const char *const kinds[] = {"json", "txt"};
        static const report_fn writers[] = {vpnha_analysis_write_json, vpnha_analysis_write_text};
        for (size_t k = 0; k < 2; k++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s.%s", cli_reports, names[i], kinds[k]);
            size_t want_len = 0, got_len = 0;
            char *want = read_file(path, &want_len);
            if (want == NULL) {
                fprintf(stderr, "%s is missing: run cli_reports.sh (make test-c does)\n", path);
            }
            REQUIRE(want != NULL);
            char *got = report(a, writers[k], &got_len);
            int same = got_len == want_len && memcmp(got, want, got_len) == 0;
            if (!same) {
                fprintf(stderr, "%s: the C API's report differs from %s\n", names[i], path);
            }
            CHECK(same);
            free(got);
            free(want);
        }
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
    vpnha_topology *t = parse_example("dual-redundancy");
    CHECK_STATUS(vpnha_topology_analyze(t, 3, &a), VPNHA_OK);
    CHECK_STATUS(vpnha_analysis_site(a, 0, &s), VPNHA_OK);
    CHECK(s.max_failures == 3 && s.scenario_count > 80 && s.minimal_cut_set_count > 8);
    vpnha_analysis_free(a);
    vpnha_topology_free(t);
}

static void sites_are_numbered_as_the_topology_numbers_them(void) {
    vpnha_topology *t = parse_text(THREE_SITES, sizeof THREE_SITES - 1);
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
    vpnha_topology *t = parse_example("dual-redundancy");
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

    t = parse_text(NO_SITES, sizeof NO_SITES - 1);
    REQUIRE(t != NULL);
    a = sentinel;
    CHECK_STATUS(vpnha_topology_analyze(t, VPNHA_DEFAULT_MAX_FAILURES, &a), VPNHA_ANALYSIS_FAILED);
    CHECK(a == sentinel);
    vpnha_topology_free(t);
    CHECK(strcmp(vpnha_status_message(VPNHA_ANALYSIS_FAILED), "unknown status") != 0);
}

static void analysis_calls_refuse_null_and_write_nothing(void) {
    vpnha_topology *t = parse_example("active-standby");
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
    RUN(threads_share_one_analysis);
    return check_summary("test_analysis");
}
