/*
 * The management-plane pattern: analyse the loaded topology once (after a configuration
 * change, on a loader thread), show each site's verdict, availability and weak spots on the
 * appliance's status page, and hand the full JSON report to the controller.
 *
 *   cc -std=c11 site_report.c $(pkg-config --cflags --libs --static vpnha) -o site_report
 *   ./site_report examples/active-standby.yaml            # the status page
 *   ./site_report examples/active-standby.yaml --json     # the JSON of `vpnha analyze`
 *   ./site_report examples/broken-bgp.yaml --site a       # one site (`vpnha analyze --site`)
 *
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpnha.h"

static int fail(const char *what, vpnha_status status) {
    fprintf(stderr, "site_report: %s: %s\n", what, vpnha_status_message(status));
    return 1;
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1)) != NULL) {
            *len = fread(buf, 1, (size_t)size, f);
        }
    }
    fclose(f);
    return buf;
}

/* The JSON report by the two-call pattern: ask for the length, then fill a buffer. */
static int print_json(const vpnha_analysis *analysis) {
    size_t len = 0;
    vpnha_status s = vpnha_analysis_write_json(analysis, NULL, 0, &len);
    if (s != VPNHA_BUFFER_TOO_SMALL) return fail("json length", s);
    char *json = malloc(len + 1);
    if (json == NULL) return 1;
    s = vpnha_analysis_write_json(analysis, json, len + 1, &len);
    if (s == VPNHA_OK) fputs(json, stdout);
    free(json);
    return s == VPNHA_OK ? 0 : fail("json", s);
}

/* One site: verdict, figures, reasons, single points of failure, and its outages. */
static int print_site(const vpnha_analysis *analysis, size_t index) {
    vpnha_site_analysis site;
    vpnha_status s = vpnha_analysis_site(analysis, index, &site);
    if (s != VPNHA_OK) return fail("site", s);
    printf("%s (%s): %s\n", site.name, site.pattern_len ? site.pattern : "no tunnels",
           site.redundancy_met ? "redundancy met" : "redundancy NOT met");
    printf("  reachable %.6f %% (%.2f nines), %.2f min/month down\n", site.availability * 100.0,
           site.nines, site.downtime_minutes_per_month);
    for (size_t i = 0; i < site.reason_count; i++) {
        vpnha_redundancy_reason r;
        if ((s = vpnha_analysis_reason(analysis, index, i, &r)) != VPNHA_OK) {
            return fail("reason", s);
        }
        printf("  %s: %s\n", r.reason, r.message);
    }
    printf("  single points of failure:");
    for (size_t i = 0; i < site.single_point_of_failure_count; i++) {
        const char *name = NULL;
        s = vpnha_analysis_single_point_of_failure(analysis, index, i, &name, NULL);
        if (s != VPNHA_OK) return fail("single point of failure", s);
        printf(" %s", name);
    }
    printf("%s\n", site.single_point_of_failure_count == 0 ? " none" : "");

    /* The failures an operator must know of: those that cut the site off, and the longest
     * interruption a survivable one causes. */
    size_t outages = 0;
    uint64_t longest = 0;
    for (size_t i = 0; i < site.scenario_count; i++) {
        vpnha_scenario sc;
        if ((s = vpnha_analysis_scenario(analysis, index, i, &sc)) != VPNHA_OK) {
            return fail("scenario", s);
        }
        if (sc.reachable) {
            if (sc.interruption_max_seconds > longest) longest = sc.interruption_max_seconds;
            continue;
        }
        if (outages++ < 3) {
            printf("  outage (%s):", sc.cause);
            for (size_t f = 0; f < sc.failed_count; f++) {
                const char *name = NULL;
                s = vpnha_analysis_scenario_failed(analysis, index, i, f, &name, NULL);
                if (s != VPNHA_OK) return fail("failed component", s);
                printf("%s %s", f == 0 ? "" : ",", name);
            }
            printf("%s\n", sc.planned ? " (planned maintenance)" : "");
        }
    }
    printf("  %zu of %zu scenarios (up to %zu failures) cut the site off; the others interrupt "
           "flows for at most %llu s\n",
           outages, site.scenario_count, site.max_failures, (unsigned long long)longest);
    return 0;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "examples/active-standby.yaml";
    int json = 0;
    /* The options of `vpnha analyze`: the defaults, and the site asked for. */
    vpnha_analysis_options options;
    vpnha_status s = vpnha_analysis_options_default(sizeof options, &options);
    if (s != VPNHA_OK) return fail("options", s);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--site") == 0 && i + 1 < argc) {
            options.site = argv[++i];
        } else {
            fprintf(stderr, "usage: site_report FILE [--json] [--site NAME]\n");
            return 2;
        }
    }
    if (strcmp(vpnha_version(), VPNHA_VERSION) != 0) {
        fprintf(stderr, "site_report: header %s but library %s\n", VPNHA_VERSION, vpnha_version());
        return 1;
    }
    size_t len = 0;
    char *text = read_file(path, &len);
    if (text == NULL) {
        fprintf(stderr, "site_report: cannot read %s\n", path);
        return 1;
    }
    vpnha_topology *topology = NULL;
    char error[512];
    s = vpnha_topology_parse(text, len, VPNHA_FORMAT_YAML, &topology, error, sizeof error,
                             NULL);
    free(text);
    if (s != VPNHA_OK) {
        fprintf(stderr, "site_report: %s: %s\n", path, error);
        return 1;
    }
    vpnha_analysis *analysis = NULL;
    s = vpnha_topology_analyze_with(topology, &options, &analysis, error, sizeof error, NULL);
    vpnha_topology_free(topology); /* the analysis keeps what it needs */
    if (s != VPNHA_OK) {
        /* "no site is named `hqq`; did you mean `hq`?" */
        fprintf(stderr, "site_report: %s: %s\n", path, error);
        return 1;
    }

    int rc = 0;
    if (json) {
        rc = print_json(analysis);
    } else {
        size_t sites = 0;
        s = vpnha_analysis_site_count(analysis, &sites);
        if (s != VPNHA_OK) rc = fail("sites", s);
        for (size_t i = 0; rc == 0 && i < sites; i++) rc = print_site(analysis, i);
    }
    vpnha_analysis_free(analysis);
    return rc;
}
