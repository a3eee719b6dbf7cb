/*
 * The stack a loader thread needs, as the README promises it: parsing, validation, analysis
 * (three failures at once, both reports) and group setup of real topologies, and hostile text
 * (the most deeply nested in each format, an alias bomb), all on a thread of
 * VPNHA_LOADER_STACK bytes (256 KiB); and every ECMP group call, Maglev rebuilds of 256
 * tunnels included, on a thread of PTHREAD_STACK_MIN (16 KiB). Run against the release
 * library, the one that ships; a debug build of the library needs more (up to 1 MiB for
 * parsing).
 *
 * Usage: test_stack REPO_ROOT
 *
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */
#include <limits.h>
#include <pthread.h>

#include "check.h"

#ifndef VPNHA_LOADER_STACK
#define VPNHA_LOADER_STACK (256 * 1024)
#endif

static const char *root;
static vpnha_ecmp_group group;
static char deep[40004];

static void load_examples(void) {
    static const char *const names[] = {"dual-redundancy", "multi-device", "active-standby",
                                        "broken-bgp"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t len = 0;
        char *text = read_example(root, names[i], &len);
        vpnha_topology *t = NULL;
        vpnha_findings *f = NULL;
        char err[256];
        CHECK_STATUS(vpnha_topology_parse(text, len, VPNHA_FORMAT_YAML, &t, err, sizeof err, NULL),
                     VPNHA_OK);
        CHECK_STATUS(vpnha_topology_validate(t, &f), VPNHA_OK);
        vpnha_analysis *a = NULL;
        size_t report_len = 0;
        CHECK_STATUS(vpnha_topology_analyze(t, 3, &a), VPNHA_OK);
        CHECK_STATUS(vpnha_analysis_write_json(a, NULL, 0, &report_len), VPNHA_BUFFER_TOO_SMALL);
        CHECK_STATUS(vpnha_analysis_write_text(a, NULL, 0, &report_len), VPNHA_BUFFER_TOO_SMALL);
        vpnha_analysis_free(a);
        CHECK_STATUS(vpnha_ecmp_group_init_site(t, 0, VPNHA_ALGORITHM_MAGLEV, 1, &group), VPNHA_OK);
        CHECK_STATUS(vpnha_ecmp_group_set_up(&group, 0, false), VPNHA_OK);
        vpnha_findings_free(f);
        vpnha_topology_free(t);
        free(text);
    }
}

static void refuse_hostile_text(void) {
    char err[256];
    vpnha_topology *t = NULL;
    /* Arrays nested 20 000 deep: YAML and JSON stop at their nesting budget, TOML at its
     * recursion limit; none of them at the end of the stack. */
    for (vpnha_format f = VPNHA_FORMAT_YAML; f <= VPNHA_FORMAT_TOML; f++) {
        size_t prefix = f == VPNHA_FORMAT_TOML ? 2 : 0;
        memcpy(deep, "a=", prefix);
        memset(deep + prefix, '[', 20000);
        memset(deep + prefix + 20000, ']', 20000);
        CHECK_STATUS(vpnha_topology_parse(deep, prefix + 40000, f, &t, err, sizeof err, NULL),
                     VPNHA_INVALID_TOPOLOGY);
    }
    /* Inline tables nested 5000 deep. */
    for (size_t i = 0; i < 5000; i++) memcpy(deep + 4 * i, "a={ ", 4);
    memset(deep + 20000, '}', 5000);
    CHECK_STATUS(vpnha_topology_parse(deep, 25000, VPNHA_FORMAT_TOML, &t, err, sizeof err, NULL),
                 VPNHA_INVALID_TOPOLOGY);
    /* Mappings nested 5000 deep in YAML flow style. */
    for (size_t i = 0; i < 5000; i++) memcpy(deep + 4 * i, "{a: ", 4);
    memset(deep + 20000, '}', 5000);
    CHECK_STATUS(vpnha_topology_parse(deep, 25000, VPNHA_FORMAT_YAML, &t, err, sizeof err, NULL),
                 VPNHA_INVALID_TOPOLOGY);
    /* An alias bomb: stopped by the replay budget (after about 0.6 s of CPU). */
    static const char bomb[] =
        "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e]\n"
        "g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f, *f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
    CHECK_STATUS(vpnha_topology_parse(bomb, strlen(bomb), VPNHA_FORMAT_YAML, &t, err, sizeof err,
                                      NULL),
                 VPNHA_INVALID_TOPOLOGY);
    CHECK(strstr(err, "limit") != NULL);
    CHECK(t == NULL);
}

/* The group calls, Maglev rebuilds included, on the smallest thread stack POSIX allows. */
static void *packet_path(void *arg) {
    (void)arg;
    static vpnha_flow_key keys[64];
    static uint16_t out[64];
    for (size_t i = 0; i < 64; i++) {
        keys[i].family = VPNHA_FAMILY_IPV4;
        keys[i].src[3] = (uint8_t)i;
        keys[i].src_port = (uint16_t)(1000 + i);
    }
    for (vpnha_algorithm a = VPNHA_ALGORITHM_STABLE; a <= VPNHA_ALGORITHM_HASH_THRESHOLD; a++) {
        CHECK_STATUS(vpnha_ecmp_group_init(VPNHA_MAX_TUNNELS, a, 3, &group), VPNHA_OK);
        uint32_t weights[VPNHA_MAX_TUNNELS];
        for (size_t t = 0; t < VPNHA_MAX_TUNNELS; t++) weights[t] = 1 + (uint32_t)t % 7;
        CHECK_STATUS(vpnha_ecmp_group_set_weights(&group, weights, VPNHA_MAX_TUNNELS), VPNHA_OK);
        CHECK_STATUS(vpnha_ecmp_group_set_symmetric(&group, true), VPNHA_OK);
        for (size_t t = 0; t < 8; t++) {
            CHECK_STATUS(vpnha_ecmp_group_set_up(&group, t * 31, false), VPNHA_OK);
        }
        uint16_t tunnel = 0;
        uint64_t hash = 0;
        CHECK_STATUS(vpnha_ecmp_group_select(&group, &keys[0], &tunnel), VPNHA_OK);
        CHECK_STATUS(vpnha_ecmp_group_hash(&group, &keys[0], &hash), VPNHA_OK);
        CHECK_STATUS(vpnha_ecmp_group_select_many(&group, keys, 64, out, 64), VPNHA_OK);
        CHECK_STATUS(vpnha_ecmp_group_set_all_up(&group, true), VPNHA_OK);
    }
    return NULL;
}

static void *loader(void *arg) {
    (void)arg;
    RUN(load_examples);
    RUN(refuse_hostile_text);
    return NULL;
}

int main(int argc, char **argv) {
    REQUIRE(argc == 2);
    root = argv[1];
    pthread_attr_t attr;
    REQUIRE(pthread_attr_init(&attr) == 0);
    REQUIRE(pthread_attr_setstacksize(&attr, VPNHA_LOADER_STACK) == 0);
    pthread_t th;
    REQUIRE(pthread_create(&th, &attr, loader, NULL) == 0);
    REQUIRE(pthread_join(th, NULL) == 0);
    REQUIRE(pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN) == 0);
    check_current = "packet_path";
    REQUIRE(pthread_create(&th, &attr, packet_path, NULL) == 0);
    REQUIRE(pthread_join(th, NULL) == 0);
    pthread_attr_destroy(&attr);
    printf("a %d KiB loader stack sufficed, and %d KiB for every group call\n",
           VPNHA_LOADER_STACK / 1024, (int)PTHREAD_STACK_MIN / 1024);
    return check_summary("test_stack");
}
