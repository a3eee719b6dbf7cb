/*
 * The C API's contract, from C: every function with good arguments, and with NULLs, zero
 * lengths, too-small buffers, invalid UTF-8, misaligned or uninitialised memory and garbage
 * topology text, each giving its documented status and writing nothing on failure; a panic
 * forced inside the library coming back as VPNHA_PANIC; selection shared by threads.
 *
 * Usage: test_api REPO_ROOT    (links a library built with the test-panic feature)
 *
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */
#include <pthread.h>
#include <stdalign.h>
#include <stdint.h>

#include "check.h"

/* Exported only by a library built with the test-panic feature; not in the header. */
vpnha_status vpnha_test_panic(void);

static const char *root;

/* The numbers are a contract: never renumbered. */
_Static_assert(VPNHA_OK == 0, "status numbers are fixed");
_Static_assert(VPNHA_NULL_PARAMETER == 1, "status numbers are fixed");
_Static_assert(VPNHA_INVALID_INPUT == 2, "status numbers are fixed");
_Static_assert(VPNHA_BUFFER_TOO_SMALL == 3, "status numbers are fixed");
_Static_assert(VPNHA_PANIC == 4, "status numbers are fixed");
_Static_assert(VPNHA_NOT_FOUND == 5, "status numbers are fixed");
_Static_assert(VPNHA_OUT_OF_RANGE == 6, "status numbers are fixed");
_Static_assert(VPNHA_INVALID_TOPOLOGY == 7, "status numbers are fixed");
_Static_assert(VPNHA_INVALID_UTF8 == 8, "status numbers are fixed");
_Static_assert(VPNHA_NO_TUNNEL == 9, "status numbers are fixed");
_Static_assert(VPNHA_MISALIGNED == 10, "status numbers are fixed");
_Static_assert(VPNHA_NOT_INITIALIZED == 11, "status numbers are fixed");
_Static_assert(VPNHA_ANALYSIS_FAILED == 12, "status numbers are fixed");
_Static_assert(sizeof(vpnha_status) == 4, "a status is a uint32_t");
_Static_assert(sizeof(vpnha_flow_key) == 44, "the key is the Rust FlowKey");
_Static_assert(offsetof(vpnha_flow_key, src_port) == 32, "the key is the Rust FlowKey");
_Static_assert(offsetof(vpnha_flow_key, protocol) == 36, "the key is the Rust FlowKey");
_Static_assert(offsetof(vpnha_flow_key, family) == 37, "the key is the Rust FlowKey");
_Static_assert(offsetof(vpnha_flow_key, flow_label) == 40, "the key is the Rust FlowKey");
_Static_assert(sizeof(vpnha_ecmp_group) == VPNHA_ECMP_GROUP_SIZE, "fixed group size");
_Static_assert(alignof(vpnha_ecmp_group) == alignof(uint64_t), "group alignment");
_Static_assert(VPNHA_ALGORITHM_STABLE == 0 && VPNHA_ALGORITHM_HASH_THRESHOLD == 3, "fixed");

static const char TWO_SITES[] =
    "version: 1\n"
    "gateway: {sku: VpnGw2AZ, generation: Generation2, active_active: true,\n"
    "          instances: [{public_ip: 192.0.2.1}, {public_ip: 192.0.2.2}]}\n"
    "local_gateways:\n"
    "  - {name: a, site: hq, gateway_ip: 203.0.113.1}\n"
    "  - {name: b, site: branch, gateway_ip: 203.0.113.2}\n"
    "  - {name: c, site: lonely, gateway_ip: 203.0.113.3}\n"
    "connections: [{name: ca, local_gateway: a}, {name: cb, local_gateway: b}]\n";

static const char JSON_TOPOLOGY[] =
    "{\"version\": 1, \"gateway\": {\"sku\": \"VpnGw1AZ\", \"generation\": \"Generation1\",\n"
    " \"instances\": [{\"public_ip\": \"192.0.2.1\"}]},\n"
    " \"local_gateways\": [{\"name\": \"a\", \"gateway_ip\": \"203.0.113.1\"}],\n"
    " \"connections\": [{\"name\": \"ca\", \"local_gateway\": \"a\"}]}\n";

static const char TOML_TOPOLOGY[] =
    "version = 1\n"
    "[gateway]\nsku = \"VpnGw1AZ\"\ngeneration = \"Generation1\"\n"
    "instances = [{public_ip = \"192.0.2.1\"}]\n"
    "[[local_gateways]]\nname = \"a\"\ngateway_ip = \"203.0.113.1\"\n"
    "[[connections]]\nname = \"ca\"\nlocal_gateway = \"a\"\n";

/* A fixed pseudo-random sequence (SplitMix64). */
static uint64_t rng_state = 0x5eed;
static uint64_t rng(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static vpnha_flow_key flow(uint64_t r) {
    vpnha_flow_key k;
    memset(&k, 0, sizeof k);
    if (r & 1) {
        static const uint8_t net[4] = {0x20, 0x01, 0x0d, 0xb8};
        memcpy(k.src, net, 4);
        memcpy(k.dst, net, 4);
        for (int i = 0; i < 8; i++) k.src[8 + i] = (uint8_t)(r >> (8 * i));
        k.dst[15] = (uint8_t)(r >> 13);
        k.family = VPNHA_FAMILY_IPV6;
        k.protocol = 17;
        k.flow_label = (uint32_t)(r >> 40) & 0xfffff;
    } else {
        k.src[0] = 192; k.src[1] = 0; k.src[2] = 2; k.src[3] = (uint8_t)(r >> 8);
        k.dst[0] = 198; k.dst[1] = 51; k.dst[2] = 100; k.dst[3] = (uint8_t)(r >> 16);
        k.family = VPNHA_FAMILY_IPV4;
        k.protocol = 6;
    }
    k.src_port = (uint16_t)(1024 + (r >> 24) % 60000);
    k.dst_port = 443;
    return k;
}

static vpnha_ecmp_group group_a;
static vpnha_ecmp_group group_b;

/* ---- version and statuses ------------------------------------------------------------ */

static void version_matches_the_header(void) {
    CHECK(strcmp(vpnha_version(), VPNHA_VERSION) == 0);
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", VPNHA_VERSION_MAJOR, VPNHA_VERSION_MINOR,
             VPNHA_VERSION_PATCH);
    CHECK(strcmp(vpnha_version(), want) == 0);
}

static void every_status_has_a_static_message(void) {
    for (uint32_t s = 0; s <= VPNHA_ANALYSIS_FAILED; s++) {
        const char *m = vpnha_status_message(s);
        CHECK(m != NULL && m[0] != '\0' && strcmp(m, "unknown status") != 0);
        for (uint32_t o = 0; o < s; o++) CHECK(strcmp(m, vpnha_status_message(o)) != 0);
    }
    CHECK(strcmp(vpnha_status_message(13), "unknown status") == 0);
    CHECK(strcmp(vpnha_status_message(UINT32_MAX), "unknown status") == 0);
    CHECK(strcmp(vpnha_status_message(VPNHA_OK), "ok") == 0);
}

static void a_panic_comes_back_as_the_panic_status(void) {
    CHECK_STATUS(vpnha_test_panic(), VPNHA_PANIC);
    /* The library keeps working after a caught panic. */
    vpnha_topology *t = parse_example(root, "dual-redundancy");
    CHECK(t != NULL);
    vpnha_topology_free(t);
    CHECK_STATUS(vpnha_test_panic(), VPNHA_PANIC);
}

/* ---- parsing --------------------------------------------------------------------------- */

static void examples_and_every_format_parse(void) {
    static const char *const examples[] = {
        "active-active", "active-standby", "dual-redundancy", "multi-device",
        "broken-bgp", "broken-connections", "broken-gateway", "broken-multi-device",
    };
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        vpnha_topology *t = parse_example(root, examples[i]);
        CHECK(t != NULL);
        vpnha_topology_free(t);
    }
    vpnha_topology *t = parse_text(JSON_TOPOLOGY, strlen(JSON_TOPOLOGY), VPNHA_FORMAT_JSON);
    CHECK(t != NULL);
    vpnha_topology_free(t);
    t = parse_text(TOML_TOPOLOGY, strlen(TOML_TOPOLOGY), VPNHA_FORMAT_TOML);
    CHECK(t != NULL);
    vpnha_topology_free(t);
    /* The text need not be NUL-terminated: only text_len bytes are read. */
    char copy[sizeof JSON_TOPOLOGY + 8];
    memcpy(copy, JSON_TOPOLOGY, sizeof JSON_TOPOLOGY - 1);
    memset(copy + sizeof JSON_TOPOLOGY - 1, '}', 9);
    t = parse_text(copy, sizeof JSON_TOPOLOGY - 1, VPNHA_FORMAT_JSON);
    CHECK(t != NULL);
    vpnha_topology_free(t);
}

static void a_bad_topology_gives_a_located_reason(void) {
    static const char text[] = "version: 1\ngateway:\n  sku: VpnGw9\n";
    vpnha_topology *t = (vpnha_topology *)&group_a; /* a sentinel: must stay as it is */
    char err[512];
    size_t err_len = 0;
    CHECK_STATUS(vpnha_topology_parse(text, strlen(text), VPNHA_FORMAT_YAML, &t, err, sizeof err,
                                      &err_len),
                 VPNHA_INVALID_TOPOLOGY);
    CHECK(t == (vpnha_topology *)&group_a);
    CHECK(strncmp(err, "<input>:3:", 10) == 0);
    CHECK(strlen(err) == err_len);
    CHECK(strstr(err, "VpnGw9") != NULL);

    /* Cut to fit, NUL-terminated, the full length reported. */
    char small[16];
    size_t small_len = 0;
    memset(small, 'x', sizeof small);
    CHECK_STATUS(vpnha_topology_parse(text, strlen(text), VPNHA_FORMAT_YAML, &t, small,
                                      sizeof small, &small_len),
                 VPNHA_INVALID_TOPOLOGY);
    CHECK(small_len == err_len);
    CHECK(strlen(small) == sizeof small - 1);
    CHECK(strncmp(small, err, sizeof small - 1) == 0);

    /* A one-byte buffer holds the NUL alone; no buffer and no length are fine. */
    char one = 'x';
    CHECK_STATUS(vpnha_topology_parse(text, strlen(text), VPNHA_FORMAT_YAML, &t, &one, 1, NULL),
                 VPNHA_INVALID_TOPOLOGY);
    CHECK(one == '\0');
    CHECK_STATUS(vpnha_topology_parse(text, strlen(text), VPNHA_FORMAT_YAML, &t, NULL, 0, NULL),
                 VPNHA_INVALID_TOPOLOGY);
    CHECK(t == (vpnha_topology *)&group_a);
}

static void parse_refuses_null_arguments(void) {
    vpnha_topology *t = NULL;
    char err[64];
    CHECK_STATUS(vpnha_topology_parse(NULL, 5, VPNHA_FORMAT_YAML, &t, err, sizeof err, NULL),
                 VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_parse("a", 1, VPNHA_FORMAT_YAML, NULL, err, sizeof err, NULL),
                 VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_parse("a", 1, VPNHA_FORMAT_YAML, &t, NULL, 8, NULL),
                 VPNHA_NULL_PARAMETER);
    CHECK(t == NULL);
}

static void empty_text_is_an_invalid_topology(void) {
    vpnha_topology *t = NULL;
    char err[256];
    size_t n = 0;
    for (vpnha_format f = VPNHA_FORMAT_YAML; f <= VPNHA_FORMAT_TOML; f++) {
        CHECK_STATUS(vpnha_topology_parse(NULL, 0, f, &t, err, sizeof err, &n),
                     VPNHA_INVALID_TOPOLOGY);
        CHECK(strstr(err, "empty") != NULL);
        CHECK_STATUS(vpnha_topology_parse(" \n\t", 3, f, &t, err, sizeof err, &n),
                     VPNHA_INVALID_TOPOLOGY);
    }
    CHECK(t == NULL);
}

static void an_unknown_format_is_invalid_input(void) {
    vpnha_topology *t = NULL;
    char err[256];
    size_t n = 0;
    CHECK_STATUS(vpnha_topology_parse("{}", 2, 3, &t, err, sizeof err, &n), VPNHA_INVALID_INPUT);
    CHECK(strstr(err, "unknown format 3") != NULL);
    CHECK_STATUS(vpnha_topology_parse("{}", 2, UINT32_MAX, &t, err, sizeof err, &n),
                 VPNHA_INVALID_INPUT);
    CHECK(t == NULL);
}

static void text_that_is_not_utf8_is_an_invalid_topology(void) {
    static const char text[] = "version: 1\nname: caf\xe9\n";
    vpnha_topology *t = NULL;
    char err[256];
    size_t n = 0;
    CHECK_STATUS(vpnha_topology_parse(text, strlen(text), VPNHA_FORMAT_YAML, &t, err, sizeof err,
                                      &n),
                 VPNHA_INVALID_TOPOLOGY);
    CHECK(strstr(err, "UTF-8") != NULL);
    CHECK(strncmp(err, "<input>:2:", 10) == 0);
    CHECK(t == NULL);
}

static void garbage_text_never_crashes(void) {
    static char buf[4096];
    char err[128];
    size_t n = 0;
    unsigned invalid = 0;
    for (int round = 0; round < 300; round++) {
        size_t len = (size_t)(rng() % sizeof buf);
        for (size_t i = 0; i < len; i++) {
            uint64_t r = rng();
            /* Half the rounds are printable, so the parsers get past the first byte. */
            buf[i] = (char)(round % 2 ? (r % 95) + 32 : r & 0xff);
        }
        vpnha_topology *t = NULL;
        vpnha_status s = vpnha_topology_parse(buf, len, (vpnha_format)(round % 3), &t, err,
                                              sizeof err, &n);
        CHECK(s == VPNHA_INVALID_TOPOLOGY || s == VPNHA_OK);
        CHECK(memchr(err, '\0', sizeof err) != NULL);
        invalid += s == VPNHA_INVALID_TOPOLOGY;
        vpnha_topology_free(t);
    }
    CHECK(invalid == 300);

    /* Every prefix of a real file: a topology or a reason, nothing else. */
    size_t len = 0;
    char *text = read_example(root, "dual-redundancy", &len);
    for (size_t cut = 0; cut <= len; cut += 7) {
        vpnha_topology *t = NULL;
        vpnha_status s = vpnha_topology_parse(text, cut, VPNHA_FORMAT_YAML, &t, err, sizeof err, &n);
        CHECK(s == VPNHA_OK || s == VPNHA_INVALID_TOPOLOGY);
        CHECK((s == VPNHA_OK) == (t != NULL));
        vpnha_topology_free(t);
    }
    free(text);
}

/* An alias bomb costs about a second of CPU in a debug build: test_stack.c has it. */
static void hostile_text_is_refused(void) {
    vpnha_topology *t = NULL;
    char err[512];
    size_t n = 0;
    /* Deep nesting: refused by the nesting budget, not by a stack overflow. */
    static char deep[20001];
    memset(deep, '[', 10000);
    memset(deep + 10000, ']', 10000);
    CHECK_STATUS(vpnha_topology_parse(deep, 20000, VPNHA_FORMAT_YAML, &t, err, sizeof err, &n),
                 VPNHA_INVALID_TOPOLOGY);
    CHECK_STATUS(vpnha_topology_parse(deep, 20000, VPNHA_FORMAT_JSON, &t, err, sizeof err, &n),
                 VPNHA_INVALID_TOPOLOGY);
    /* Over 16 MiB. */
    size_t big = 16u * 1024 * 1024 + 1;
    char *huge = malloc(big);
    REQUIRE(huge != NULL);
    memset(huge, ' ', big);
    CHECK_STATUS(vpnha_topology_parse(huge, big, VPNHA_FORMAT_YAML, &t, err, sizeof err, &n),
                 VPNHA_INVALID_TOPOLOGY);
    CHECK(strstr(err, "limit") != NULL);
    free(huge);
    CHECK(t == NULL);
}

/* ---- tunnels and sites ------------------------------------------------------------------ */

static void tunnels_are_listed_in_the_stable_order(void) {
    vpnha_topology *t = parse_example(root, "dual-redundancy");
    REQUIRE(t != NULL);
    static const char *const ids[] = {"hq-a/0", "hq-a/1", "hq-b/0", "hq-b/1"};
    size_t count = 0;
    CHECK_STATUS(vpnha_topology_tunnel_count(t, &count), VPNHA_OK);
    CHECK(count == 4);
    for (size_t i = 0; i < 4; i++) {
        char buf[32];
        size_t len = 0;
        CHECK_STATUS(vpnha_topology_tunnel_id(t, i, buf, sizeof buf, &len), VPNHA_OK);
        CHECK(strcmp(buf, ids[i]) == 0 && len == strlen(ids[i]));
        size_t found = 99;
        CHECK_STATUS(vpnha_topology_tunnel_find(t, ids[i], strlen(ids[i]), &found), VPNHA_OK);
        CHECK(found == i);
    }
    vpnha_topology_free(t);
}

static void tunnel_ids_need_room_for_the_nul(void) {
    vpnha_topology *t = parse_example(root, "dual-redundancy");
    REQUIRE(t != NULL);
    char buf[8];
    size_t len = 0;
    /* Ask for the size first. */
    CHECK_STATUS(vpnha_topology_tunnel_id(t, 0, NULL, 0, &len), VPNHA_BUFFER_TOO_SMALL);
    CHECK(len == 6);
    /* "hq-a/0" is 6 bytes: 6 is too small, 7 fits; nothing written when too small. */
    memset(buf, 'x', sizeof buf);
    len = 0;
    CHECK_STATUS(vpnha_topology_tunnel_id(t, 0, buf, 6, &len), VPNHA_BUFFER_TOO_SMALL);
    CHECK(len == 6 && buf[0] == 'x');
    CHECK_STATUS(vpnha_topology_tunnel_id(t, 0, buf, 7, &len), VPNHA_OK);
    CHECK(strcmp(buf, "hq-a/0") == 0);
    vpnha_topology_free(t);
}

static void tunnel_calls_refuse_bad_arguments(void) {
    vpnha_topology *t = parse_example(root, "dual-redundancy");
    REQUIRE(t != NULL);
    char buf[32];
    size_t n = 77;
    CHECK_STATUS(vpnha_topology_tunnel_count(NULL, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_tunnel_count(t, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_tunnel_id(NULL, 0, buf, sizeof buf, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_tunnel_id(t, 0, NULL, 5, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_tunnel_id(t, 0, buf, sizeof buf, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_tunnel_id(t, 4, buf, sizeof buf, &n), VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_topology_tunnel_id(t, SIZE_MAX, buf, sizeof buf, &n), VPNHA_OUT_OF_RANGE);
    CHECK(n == 77);
    CHECK_STATUS(vpnha_topology_tunnel_find(NULL, "hq-a/0", 6, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_tunnel_find(t, NULL, 6, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_tunnel_find(t, "hq-a/0", 6, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_tunnel_find(t, NULL, 0, &n), VPNHA_NOT_FOUND);
    CHECK_STATUS(vpnha_topology_tunnel_find(t, "hq-a/0", 5, &n), VPNHA_NOT_FOUND);
    CHECK_STATUS(vpnha_topology_tunnel_find(t, "hq-a/\xff", 6, &n), VPNHA_INVALID_UTF8);
    CHECK_STATUS(vpnha_topology_tunnel_find(t, "\xc3", 1, &n), VPNHA_INVALID_UTF8);
    CHECK(n == 77);
    vpnha_topology_free(t);
}

static void sites_list_their_tunnels(void) {
    vpnha_topology *t = parse_text(TWO_SITES, strlen(TWO_SITES), VPNHA_FORMAT_YAML);
    REQUIRE(t != NULL);
    size_t count = 0;
    CHECK_STATUS(vpnha_topology_site_count(t, &count), VPNHA_OK);
    CHECK(count == 3);
    /* Sorted by name. */
    static const char *const names[] = {"branch", "hq", "lonely"};
    for (size_t i = 0; i < 3; i++) {
        char buf[16];
        size_t len = 0, found = 99;
        CHECK_STATUS(vpnha_topology_site_name(t, i, buf, sizeof buf, &len), VPNHA_OK);
        CHECK(strcmp(buf, names[i]) == 0 && len == strlen(names[i]));
        CHECK_STATUS(vpnha_topology_site_find(t, names[i], strlen(names[i]), &found), VPNHA_OK);
        CHECK(found == i);
    }
    size_t hq = 0;
    CHECK_STATUS(vpnha_topology_site_find(t, "hq", 2, &hq), VPNHA_OK);
    size_t tunnels[4] = {9, 9, 9, 9}, n = 0;
    CHECK_STATUS(vpnha_topology_site_tunnels(t, hq, NULL, 0, &n), VPNHA_BUFFER_TOO_SMALL);
    CHECK(n == 2);
    CHECK_STATUS(vpnha_topology_site_tunnels(t, hq, tunnels, 1, &n), VPNHA_BUFFER_TOO_SMALL);
    CHECK(tunnels[0] == 9);
    CHECK_STATUS(vpnha_topology_site_tunnels(t, hq, tunnels, 4, &n), VPNHA_OK);
    CHECK(n == 2 && tunnels[2] == 9);
    char id[16];
    size_t len = 0;
    CHECK_STATUS(vpnha_topology_tunnel_id(t, tunnels[0], id, sizeof id, &len), VPNHA_OK);
    CHECK(strcmp(id, "ca/0") == 0);
    CHECK_STATUS(vpnha_topology_tunnel_id(t, tunnels[1], id, sizeof id, &len), VPNHA_OK);
    CHECK(strcmp(id, "ca/1") == 0);
    /* A site without tunnels has none, and no group. */
    CHECK_STATUS(vpnha_topology_site_tunnels(t, 2, NULL, 0, &n), VPNHA_OK);
    CHECK(n == 0);
    CHECK_STATUS(vpnha_ecmp_group_init_site(t, 2, VPNHA_ALGORITHM_STABLE, 0, &group_a),
                 VPNHA_NO_TUNNEL);
    vpnha_topology_free(t);
}

static void site_calls_refuse_bad_arguments(void) {
    vpnha_topology *t = parse_text(TWO_SITES, strlen(TWO_SITES), VPNHA_FORMAT_YAML);
    REQUIRE(t != NULL);
    char buf[16];
    size_t n = 77, tunnels[2];
    CHECK_STATUS(vpnha_topology_site_count(NULL, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_site_count(t, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_site_name(NULL, 0, buf, sizeof buf, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_site_name(t, 0, NULL, 3, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_site_name(t, 0, buf, sizeof buf, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_site_name(t, 3, buf, sizeof buf, &n), VPNHA_OUT_OF_RANGE);
    CHECK(n == 77);
    CHECK_STATUS(vpnha_topology_site_name(t, 0, buf, 6, &n), VPNHA_BUFFER_TOO_SMALL);
    CHECK(n == 6); /* "branch" */
    CHECK_STATUS(vpnha_topology_site_find(NULL, "hq", 2, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_site_find(t, NULL, 2, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_site_find(t, "hq", 2, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_site_find(t, "hqq", 3, &n), VPNHA_NOT_FOUND);
    CHECK_STATUS(vpnha_topology_site_find(t, NULL, 0, &n), VPNHA_NOT_FOUND);
    CHECK_STATUS(vpnha_topology_site_find(t, "h\x80", 2, &n), VPNHA_INVALID_UTF8);
    CHECK_STATUS(vpnha_topology_site_tunnels(NULL, 0, tunnels, 2, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_site_tunnels(t, 0, NULL, 2, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_site_tunnels(t, 0, tunnels, 2, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_site_tunnels(t, 3, tunnels, 2, &n), VPNHA_OUT_OF_RANGE);
    /* Misaligned output array. */
    size_t words[3];
    size_t *odd = (size_t *)(void *)((char *)words + 1);
    CHECK_STATUS(vpnha_topology_site_tunnels(t, 0, odd, 1, &n), VPNHA_MISALIGNED);
    vpnha_topology_free(t);
}

/* ---- validation ---------------------------------------------------------------------------- */

static void findings_carry_rule_severity_message_path_and_position(void) {
    vpnha_topology *t = parse_example(root, "broken-bgp");
    REQUIRE(t != NULL);
    vpnha_findings *f = NULL;
    CHECK_STATUS(vpnha_topology_validate(t, &f), VPNHA_OK);
    REQUIRE(f != NULL);
    size_t count = 0, errors = 0, warnings = 0, infos = 0;
    CHECK_STATUS(vpnha_findings_count(f, &count), VPNHA_OK);
    CHECK_STATUS(vpnha_findings_count_severity(f, VPNHA_SEVERITY_ERROR, &errors), VPNHA_OK);
    CHECK_STATUS(vpnha_findings_count_severity(f, VPNHA_SEVERITY_WARNING, &warnings), VPNHA_OK);
    CHECK_STATUS(vpnha_findings_count_severity(f, VPNHA_SEVERITY_INFO, &infos), VPNHA_OK);
    CHECK(errors > 0 && errors + warnings + infos == count);
    bool located = false, reserved_asn = false;
    for (size_t i = 0; i < count; i++) {
        vpnha_finding d;
        CHECK_STATUS(vpnha_findings_get(f, i, &d), VPNHA_OK);
        CHECK(d.rule != NULL && strlen(d.rule) == d.rule_len && d.rule_len > 0);
        CHECK(d.message != NULL && strlen(d.message) == d.message_len && d.message_len > 0);
        CHECK(d.path != NULL && strlen(d.path) == d.path_len);
        CHECK(d.severity <= VPNHA_SEVERITY_ERROR);
        CHECK((d.line == 0) == (d.column == 0));
        located |= d.line > 0;
        reserved_asn |= strcmp(d.rule, "reserved-asn") == 0 && d.severity == VPNHA_SEVERITY_ERROR &&
                        strstr(d.path, "asn") != NULL && d.line > 0;
    }
    CHECK(located);
    CHECK(reserved_asn);

    size_t len = 0;
    CHECK_STATUS(vpnha_findings_write_text(f, NULL, 0, &len), VPNHA_BUFFER_TOO_SMALL);
    char *text = malloc(len + 1);
    REQUIRE(text != NULL);
    text[0] = 'x';
    CHECK_STATUS(vpnha_findings_write_text(f, text, len, &len), VPNHA_BUFFER_TOO_SMALL);
    CHECK(text[0] == 'x');
    CHECK_STATUS(vpnha_findings_write_text(f, text, len + 1, &len), VPNHA_OK);
    CHECK(strlen(text) == len);
    size_t lines = 0;
    for (const char *p = text; *p; p++) lines += *p == '\n';
    CHECK(lines == count);
    CHECK(strstr(text, "error[reserved-asn]") != NULL);
    free(text);
    vpnha_findings_free(f);
    vpnha_topology_free(t);
}

static void a_clean_topology_has_no_errors(void) {
    vpnha_topology *t = parse_example(root, "dual-redundancy");
    REQUIRE(t != NULL);
    vpnha_findings *f = NULL;
    CHECK_STATUS(vpnha_topology_validate(t, &f), VPNHA_OK);
    size_t errors = 99;
    CHECK_STATUS(vpnha_findings_count_severity(f, VPNHA_SEVERITY_ERROR, &errors), VPNHA_OK);
    CHECK(errors == 0);
    vpnha_findings_free(f);
    vpnha_topology_free(t);
}

static void finding_calls_refuse_bad_arguments(void) {
    vpnha_topology *t = parse_example(root, "broken-bgp");
    REQUIRE(t != NULL);
    vpnha_findings *f = NULL;
    CHECK_STATUS(vpnha_topology_validate(NULL, &f), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_topology_validate(t, NULL), VPNHA_NULL_PARAMETER);
    CHECK(f == NULL);
    CHECK_STATUS(vpnha_topology_validate(t, &f), VPNHA_OK);
    size_t n = 77;
    vpnha_finding d;
    memset(&d, 0, sizeof d);
    char buf[8];
    CHECK_STATUS(vpnha_findings_count(NULL, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_findings_count(f, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_findings_count_severity(NULL, 0, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_findings_count_severity(f, 0, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_findings_count_severity(f, 3, &n), VPNHA_INVALID_INPUT);
    CHECK(n == 77);
    CHECK_STATUS(vpnha_findings_get(NULL, 0, &d), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_findings_get(f, 0, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_findings_get(f, SIZE_MAX, &d), VPNHA_OUT_OF_RANGE);
    CHECK(d.rule == NULL);
    CHECK_STATUS(vpnha_findings_write_text(NULL, buf, sizeof buf, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_findings_write_text(f, NULL, 4, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_findings_write_text(f, buf, sizeof buf, NULL), VPNHA_NULL_PARAMETER);
    vpnha_findings_free(f);
    vpnha_findings_free(NULL);
    vpnha_topology_free(t);
    vpnha_topology_free(NULL);
}

/* ---- ECMP groups -------------------------------------------------------------------------- */

static void init_refuses_bad_arguments_and_leaves_memory_alone(void) {
    static vpnha_ecmp_group g;
    memset(&g, 0xA5, sizeof g);
    CHECK_STATUS(vpnha_ecmp_group_init(4, VPNHA_ALGORITHM_STABLE, 0, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_init(0, VPNHA_ALGORITHM_STABLE, 0, &g), VPNHA_NO_TUNNEL);
    CHECK_STATUS(vpnha_ecmp_group_init(VPNHA_MAX_TUNNELS + 1, 0, 0, &g), VPNHA_INVALID_INPUT);
    CHECK_STATUS(vpnha_ecmp_group_init(SIZE_MAX, 0, 0, &g), VPNHA_INVALID_INPUT);
    CHECK_STATUS(vpnha_ecmp_group_init(4, 4, 0, &g), VPNHA_INVALID_INPUT);
    CHECK_STATUS(vpnha_ecmp_group_init(4, 256, 0, &g), VPNHA_INVALID_INPUT);
    const unsigned char *bytes = (const unsigned char *)&g;
    bool untouched = true;
    for (size_t i = 0; i < sizeof g; i++) untouched &= bytes[i] == 0xA5;
    CHECK(untouched);
    /* Misaligned memory. */
    vpnha_ecmp_group *odd = (vpnha_ecmp_group *)(void *)((char *)&group_b + 4);
    CHECK_STATUS(vpnha_ecmp_group_init(4, 0, 0, odd), VPNHA_MISALIGNED);
    /* Over the old bytes, init works; the edges of the range too. */
    CHECK_STATUS(vpnha_ecmp_group_init(VPNHA_MAX_TUNNELS, VPNHA_ALGORITHM_MAGLEV, 1, &g), VPNHA_OK);
    CHECK_STATUS(vpnha_ecmp_group_init(1, VPNHA_ALGORITHM_HASH_THRESHOLD, 1, &g), VPNHA_OK);
    size_t n = 0;
    CHECK_STATUS(vpnha_ecmp_group_tunnel_count(&g, &n), VPNHA_OK);
    CHECK(n == 1);

    vpnha_topology *t = parse_text(TWO_SITES, strlen(TWO_SITES), VPNHA_FORMAT_YAML);
    REQUIRE(t != NULL);
    CHECK_STATUS(vpnha_ecmp_group_init_site(NULL, 0, 0, 0, &g), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_init_site(t, 0, 0, 0, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_init_site(t, 3, 0, 0, &g), VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_ecmp_group_init_site(t, 0, 9, 0, &g), VPNHA_INVALID_INPUT);
    CHECK_STATUS(vpnha_ecmp_group_init_site(t, 0, 0, 0, odd), VPNHA_MISALIGNED);
    CHECK_STATUS(vpnha_ecmp_group_tunnel_count(&g, &n), VPNHA_OK);
    CHECK(n == 1);
    vpnha_topology_free(t);
}

static void memory_never_initialised_is_refused(void) {
    static vpnha_ecmp_group zeroed; /* static storage: all zero */
    static vpnha_ecmp_group garbage;
    memset(&garbage, 0x5A, sizeof garbage);
    vpnha_ecmp_group *const groups[] = {&zeroed, &garbage};
    vpnha_flow_key k = flow(1);
    for (size_t i = 0; i < 2; i++) {
        vpnha_ecmp_group *g = groups[i];
        uint16_t t = 7, out[1] = {7};
        uint64_t h = 7;
        size_t n = 7;
        bool up = false;
        uint32_t w[1] = {1};
        CHECK_STATUS(vpnha_ecmp_group_select(g, &k, &t), VPNHA_NOT_INITIALIZED);
        CHECK_STATUS(vpnha_ecmp_group_select_many(g, &k, 1, out, 1), VPNHA_NOT_INITIALIZED);
        CHECK_STATUS(vpnha_ecmp_group_hash(g, &k, &h), VPNHA_NOT_INITIALIZED);
        CHECK_STATUS(vpnha_ecmp_group_set_up(g, 0, false), VPNHA_NOT_INITIALIZED);
        CHECK_STATUS(vpnha_ecmp_group_set_all_up(g, false), VPNHA_NOT_INITIALIZED);
        CHECK_STATUS(vpnha_ecmp_group_set_weights(g, w, 1), VPNHA_NOT_INITIALIZED);
        CHECK_STATUS(vpnha_ecmp_group_set_fields(g, VPNHA_HASH_L3), VPNHA_NOT_INITIALIZED);
        CHECK_STATUS(vpnha_ecmp_group_set_symmetric(g, true), VPNHA_NOT_INITIALIZED);
        CHECK_STATUS(vpnha_ecmp_group_is_up(g, 0, &up), VPNHA_NOT_INITIALIZED);
        CHECK_STATUS(vpnha_ecmp_group_tunnel_count(g, &n), VPNHA_NOT_INITIALIZED);
        CHECK_STATUS(vpnha_ecmp_group_live_count(g, &n), VPNHA_NOT_INITIALIZED);
        CHECK(t == 7 && out[0] == 7 && h == 7 && n == 7 && !up);
    }
}

static void group_calls_refuse_null_and_misaligned_pointers(void) {
    REQUIRE(vpnha_ecmp_group_init(4, VPNHA_ALGORITHM_STABLE, 0, &group_a) == VPNHA_OK);
    vpnha_flow_key k = flow(2), keys[4];
    for (int i = 0; i < 4; i++) keys[i] = flow((uint64_t)i);
    uint16_t t = 7, out[8];
    uint64_t h = 7;
    size_t n = 7;
    bool up = false;
    uint32_t w[4] = {1, 1, 1, 1};
    const vpnha_ecmp_group *odd = (const vpnha_ecmp_group *)(const void *)((const char *)&group_a + 4);
    CHECK_STATUS(vpnha_ecmp_group_select(NULL, &k, &t), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_select(&group_a, NULL, &t), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_select(&group_a, &k, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_select(odd, &k, &t), VPNHA_MISALIGNED);
    CHECK_STATUS(vpnha_ecmp_group_hash(NULL, &k, &h), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_hash(&group_a, NULL, &h), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_hash(&group_a, &k, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_select_many(NULL, keys, 4, out, 8), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_select_many(&group_a, NULL, 4, out, 8), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_select_many(&group_a, keys, 4, NULL, 8), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_set_up(NULL, 0, false), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_set_all_up(NULL, false), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_set_weights(NULL, w, 4), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_set_weights(&group_a, NULL, 4), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_set_fields(NULL, VPNHA_HASH_L3), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_set_symmetric(NULL, true), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_is_up(NULL, 0, &up), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_is_up(&group_a, 0, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_tunnel_count(NULL, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_tunnel_count(&group_a, NULL), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_live_count(NULL, &n), VPNHA_NULL_PARAMETER);
    CHECK_STATUS(vpnha_ecmp_group_live_count(&group_a, NULL), VPNHA_NULL_PARAMETER);
    CHECK(t == 7 && h == 7 && n == 7 && !up);
    /* Arrays must be aligned for their element type. */
    uint16_t *odd_out = (uint16_t *)(void *)((char *)out + 1);
    CHECK_STATUS(vpnha_ecmp_group_select_many(&group_a, keys, 2, odd_out, 2), VPNHA_MISALIGNED);
    uint32_t *odd_w = (uint32_t *)(void *)((char *)w + 1);
    CHECK_STATUS(vpnha_ecmp_group_set_weights(&group_a, odd_w, 3), VPNHA_MISALIGNED);
}

static void keys_need_no_alignment(void) {
    REQUIRE(vpnha_ecmp_group_init(8, VPNHA_ALGORITHM_RENDEZVOUS, 3, &group_a) == VPNHA_OK);
    /* A key inside a byte buffer at an odd offset, as in a packet. */
    static unsigned char packet[64];
    for (int i = 0; i < 100; i++) {
        vpnha_flow_key k = flow(rng());
        memcpy(packet + 3, &k, sizeof k);
        uint16_t aligned = 0, unaligned = 1;
        uint64_t h1 = 0, h2 = 1;
        uint16_t *odd_out = (uint16_t *)(void *)(packet + 49);
        CHECK_STATUS(vpnha_ecmp_group_select(&group_a, &k, &aligned), VPNHA_OK);
        CHECK_STATUS(vpnha_ecmp_group_select(&group_a, (const vpnha_flow_key *)(void *)(packet + 3),
                                             odd_out),
                     VPNHA_OK);
        memcpy(&unaligned, packet + 49, sizeof unaligned);
        CHECK(aligned == unaligned);
        CHECK_STATUS(vpnha_ecmp_group_hash(&group_a, &k, &h1), VPNHA_OK);
        CHECK_STATUS(vpnha_ecmp_group_hash(&group_a, (const vpnha_flow_key *)(void *)(packet + 3),
                                           &h2),
                     VPNHA_OK);
        CHECK(h1 == h2);
    }
}

static void batches_check_lengths_and_overlap(void) {
    REQUIRE(vpnha_ecmp_group_init(4, VPNHA_ALGORITHM_STABLE, 9, &group_a) == VPNHA_OK);
    vpnha_flow_key keys[16];
    uint16_t out[17], one[16];
    for (int i = 0; i < 16; i++) keys[i] = flow(rng());
    for (int i = 0; i < 17; i++) out[i] = 0xEEEE;
    CHECK_STATUS(vpnha_ecmp_group_select_many(&group_a, keys, 16, out, 15), VPNHA_BUFFER_TOO_SMALL);
    CHECK(out[0] == 0xEEEE);
    CHECK_STATUS(vpnha_ecmp_group_select_many(&group_a, keys, 16, out, 17), VPNHA_OK);
    CHECK(out[16] == 0xEEEE); /* beyond keys_len: left alone */
    for (int i = 0; i < 16; i++) {
        CHECK_STATUS(vpnha_ecmp_group_select(&group_a, &keys[i], &one[i]), VPNHA_OK);
        CHECK(one[i] == out[i]);
    }
    /* Zero lengths: NULL is fine. */
    CHECK_STATUS(vpnha_ecmp_group_select_many(&group_a, NULL, 0, NULL, 0), VPNHA_OK);
    CHECK_STATUS(vpnha_ecmp_group_select_many(&group_a, keys, 0, NULL, 0), VPNHA_OK);
    /* Output over the keys, or over the group: refused. */
    CHECK_STATUS(vpnha_ecmp_group_select_many(&group_a, keys, 2, (uint16_t *)(void *)keys, 2),
                 VPNHA_INVALID_INPUT);
    CHECK_STATUS(vpnha_ecmp_group_select_many(&group_a, keys, 2, (uint16_t *)(void *)&group_a, 2),
                 VPNHA_INVALID_INPUT);
    /* Every tunnel down: VPNHA_NONE for each flow, and NO_TUNNEL for one. */
    CHECK_STATUS(vpnha_ecmp_group_set_all_up(&group_a, false), VPNHA_OK);
    CHECK_STATUS(vpnha_ecmp_group_select_many(&group_a, keys, 16, out, 16), VPNHA_OK);
    for (int i = 0; i < 16; i++) CHECK(out[i] == VPNHA_NONE);
    uint16_t t = 3;
    CHECK_STATUS(vpnha_ecmp_group_select(&group_a, &keys[0], &t), VPNHA_NO_TUNNEL);
    CHECK(t == 3);
}

static void setters_refuse_values_out_of_range_and_change_nothing(void) {
    REQUIRE(vpnha_ecmp_group_init(3, VPNHA_ALGORITHM_MAGLEV, 5, &group_a) == VPNHA_OK);
    memcpy(&group_b, &group_a, sizeof group_a);
    uint32_t zero[3] = {0, 0, 0}, two[2] = {1, 1};
    CHECK_STATUS(vpnha_ecmp_group_set_weights(&group_a, zero, 3), VPNHA_INVALID_INPUT);
    CHECK_STATUS(vpnha_ecmp_group_set_weights(&group_a, two, 2), VPNHA_INVALID_INPUT);
    CHECK_STATUS(vpnha_ecmp_group_set_weights(&group_a, NULL, 0), VPNHA_INVALID_INPUT);
    CHECK_STATUS(vpnha_ecmp_group_set_fields(&group_a, 0x40), VPNHA_INVALID_INPUT);
    CHECK_STATUS(vpnha_ecmp_group_set_fields(&group_a, UINT32_MAX), VPNHA_INVALID_INPUT);
    CHECK_STATUS(vpnha_ecmp_group_set_up(&group_a, 3, false), VPNHA_OUT_OF_RANGE);
    CHECK_STATUS(vpnha_ecmp_group_set_up(&group_a, SIZE_MAX, true), VPNHA_OUT_OF_RANGE);
    bool up = false;
    CHECK_STATUS(vpnha_ecmp_group_is_up(&group_a, 3, &up), VPNHA_OUT_OF_RANGE);
    /* Weights overlapping the group: refused. */
    CHECK_STATUS(vpnha_ecmp_group_set_weights(&group_a, (const uint32_t *)(const void *)&group_a, 3),
                 VPNHA_INVALID_INPUT);
    /* Symmetric mode and the flow label exclude each other, in either order. */
    CHECK_STATUS(vpnha_ecmp_group_set_fields(&group_a, VPNHA_HASH_ALL), VPNHA_OK);
    CHECK_STATUS(vpnha_ecmp_group_set_symmetric(&group_a, true), VPNHA_INVALID_INPUT);
    CHECK_STATUS(vpnha_ecmp_group_set_fields(&group_a, VPNHA_HASH_FIVE_TUPLE), VPNHA_OK);
    CHECK_STATUS(vpnha_ecmp_group_set_symmetric(&group_a, true), VPNHA_OK);
    CHECK_STATUS(vpnha_ecmp_group_set_fields(&group_a, VPNHA_HASH_ALL), VPNHA_INVALID_INPUT);
    CHECK_STATUS(vpnha_ecmp_group_set_symmetric(&group_a, false), VPNHA_OK);
    /* After all the refusals, the group selects as its untouched copy. */
    for (int i = 0; i < 200; i++) {
        vpnha_flow_key k = flow(rng());
        uint16_t a = 0, b = 1;
        CHECK_STATUS(vpnha_ecmp_group_select(&group_a, &k, &a), VPNHA_OK);
        CHECK_STATUS(vpnha_ecmp_group_select(&group_b, &k, &b), VPNHA_OK);
        CHECK(a == b);
    }
}

static void a_failure_moves_only_the_failed_tunnels_flows(void) {
    vpnha_topology *t = parse_example(root, "dual-redundancy");
    REQUIRE(t != NULL);
    size_t hq = 0;
    CHECK_STATUS(vpnha_topology_site_find(t, "hq", 2, &hq), VPNHA_OK);
    CHECK_STATUS(vpnha_ecmp_group_init_site(t, hq, VPNHA_ALGORITHM_STABLE, 0xfeed, &group_a), VPNHA_OK);
    vpnha_topology_free(t); /* the group does not need it */
    enum { N = 4000 };
    static vpnha_flow_key keys[N];
    static uint16_t before[N], after[N], back[N];
    for (int i = 0; i < N; i++) keys[i] = flow(rng());
    CHECK_STATUS(vpnha_ecmp_group_select_many(&group_a, keys, N, before, N), VPNHA_OK);
    CHECK_STATUS(vpnha_ecmp_group_set_up(&group_a, 2, false), VPNHA_OK);
    size_t live = 0;
    CHECK_STATUS(vpnha_ecmp_group_live_count(&group_a, &live), VPNHA_OK);
    CHECK(live == 3);
    CHECK_STATUS(vpnha_ecmp_group_select_many(&group_a, keys, N, after, N), VPNHA_OK);
    CHECK_STATUS(vpnha_ecmp_group_set_up(&group_a, 2, true), VPNHA_OK);
    CHECK_STATUS(vpnha_ecmp_group_select_many(&group_a, keys, N, back, N), VPNHA_OK);
    int moved = 0, wrongly = 0, on_failed = 0;
    for (int i = 0; i < N; i++) {
        on_failed += before[i] == 2;
        moved += before[i] != after[i];
        wrongly += before[i] != 2 && before[i] != after[i];
        CHECK(after[i] != 2);
        CHECK(back[i] == before[i]);
    }
    CHECK(wrongly == 0);
    CHECK(moved == on_failed && on_failed > N / 8);
}

static void a_copied_group_is_independent(void) {
    REQUIRE(vpnha_ecmp_group_init(6, VPNHA_ALGORITHM_STABLE, 77, &group_a) == VPNHA_OK);
    group_b = group_a; /* plain assignment: no pointers inside */
    CHECK_STATUS(vpnha_ecmp_group_set_up(&group_b, 0, false), VPNHA_OK);
    bool up = false;
    CHECK_STATUS(vpnha_ecmp_group_is_up(&group_a, 0, &up), VPNHA_OK);
    CHECK(up);
    for (int i = 0; i < 500; i++) {
        vpnha_flow_key k = flow(rng());
        uint16_t a = 0, b = 0;
        CHECK_STATUS(vpnha_ecmp_group_select(&group_a, &k, &a), VPNHA_OK);
        CHECK_STATUS(vpnha_ecmp_group_select(&group_b, &k, &b), VPNHA_OK);
        CHECK(b != 0);
        if (a != 0) CHECK(a == b);
    }
}

/* ---- threads ------------------------------------------------------------------------------ */

enum { THREAD_FLOWS = 20000, THREADS = 4 };
static vpnha_flow_key thread_keys[THREAD_FLOWS];
static uint16_t thread_want[THREAD_FLOWS];

static void *select_all(void *arg) {
    size_t mismatches = 0;
    for (int round = 0; round < 5; round++) {
        for (size_t i = 0; i < THREAD_FLOWS; i++) {
            uint16_t t = 0;
            if (vpnha_ecmp_group_select(&group_a, &thread_keys[i], &t) != VPNHA_OK ||
                t != thread_want[i]) {
                mismatches++;
            }
        }
    }
    *(size_t *)arg = mismatches;
    return NULL;
}

static void threads_share_a_group_for_selection(void) {
    REQUIRE(vpnha_ecmp_group_init(16, VPNHA_ALGORITHM_MAGLEV, 11, &group_a) == VPNHA_OK);
    REQUIRE(vpnha_ecmp_group_set_up(&group_a, 5, false) == VPNHA_OK);
    for (size_t i = 0; i < THREAD_FLOWS; i++) thread_keys[i] = flow(rng());
    CHECK_STATUS(vpnha_ecmp_group_select_many(&group_a, thread_keys, THREAD_FLOWS, thread_want,
                                              THREAD_FLOWS),
                 VPNHA_OK);
    pthread_t th[THREADS];
    size_t mismatches[THREADS];
    for (int i = 0; i < THREADS; i++) REQUIRE(pthread_create(&th[i], NULL, select_all, &mismatches[i]) == 0);
    for (int i = 0; i < THREADS; i++) {
        REQUIRE(pthread_join(th[i], NULL) == 0);
        CHECK(mismatches[i] == 0);
    }
}

int main(int argc, char **argv) {
    REQUIRE(argc == 2);
    root = argv[1];
    RUN(version_matches_the_header);
    RUN(every_status_has_a_static_message);
    RUN(a_panic_comes_back_as_the_panic_status);
    RUN(examples_and_every_format_parse);
    RUN(a_bad_topology_gives_a_located_reason);
    RUN(parse_refuses_null_arguments);
    RUN(empty_text_is_an_invalid_topology);
    RUN(an_unknown_format_is_invalid_input);
    RUN(text_that_is_not_utf8_is_an_invalid_topology);
    RUN(garbage_text_never_crashes);
    RUN(hostile_text_is_refused);
    RUN(tunnels_are_listed_in_the_stable_order);
    RUN(tunnel_ids_need_room_for_the_nul);
    RUN(tunnel_calls_refuse_bad_arguments);
    RUN(sites_list_their_tunnels);
    RUN(site_calls_refuse_bad_arguments);
    RUN(findings_carry_rule_severity_message_path_and_position);
    RUN(a_clean_topology_has_no_errors);
    RUN(finding_calls_refuse_bad_arguments);
    RUN(init_refuses_bad_arguments_and_leaves_memory_alone);
    RUN(memory_never_initialised_is_refused);
    RUN(group_calls_refuse_null_and_misaligned_pointers);
    RUN(keys_need_no_alignment);
    RUN(batches_check_lengths_and_overlap);
    RUN(setters_refuse_values_out_of_range_and_change_nothing);
    RUN(a_failure_moves_only_the_failed_tunnels_flows);
    RUN(a_copied_group_is_independent);
    RUN(threads_share_a_group_for_selection);
    return check_summary("test_api");
}
