/*
 * No allocation on the packet path: with the heap functions wrapped at link time
 * (-Wl,--wrap=malloc and the others, so calls from inside the library are counted too),
 * a million vpnha_ecmp_group_select calls, batches of vpnha_ecmp_group_select_many, and
 * vpnha_ecmp_group_set_up (Maglev rebuilds included) make no heap call at all, for every
 * algorithm. Loading a topology does allocate: that shows the counting works.
 *
 * Usage: test_noalloc REPO_ROOT    (links the static library)
 *
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */
#include <stdint.h>

#include "check.h"

static volatile int counting;
static volatile unsigned long heap_calls;

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
int __real_posix_memalign(void **p, size_t align, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);
int __wrap_posix_memalign(void **p, size_t align, size_t size);
void *__wrap_aligned_alloc(size_t align, size_t size);

static void note(void) {
    if (counting) heap_calls++;
}
void *__wrap_malloc(size_t size) { note(); return __real_malloc(size); }
void *__wrap_calloc(size_t n, size_t size) { note(); return __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t size) { note(); return __real_realloc(p, size); }
void __wrap_free(void *p) { note(); __real_free(p); }
int __wrap_posix_memalign(void **p, size_t align, size_t size) {
    note();
    return __real_posix_memalign(p, align, size);
}
void *__wrap_aligned_alloc(size_t align, size_t size) {
    note();
    return __real_aligned_alloc(align, size);
}

static const char *root;
static vpnha_ecmp_group groups[4];
enum { KEYS = 1024 };
static vpnha_flow_key keys[KEYS];
static uint16_t out[KEYS];

static uint64_t rng_state = 7;
static uint64_t rng(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void loading_a_topology_allocates(void) {
    size_t len = 0;
    char *text = read_example(root, "dual-redundancy", &len);
    vpnha_topology *t = NULL;
    counting = 1;
    heap_calls = 0;
    CHECK_STATUS(vpnha_topology_parse(text, len, VPNHA_FORMAT_YAML, &t, NULL, 0, NULL), VPNHA_OK);
    counting = 0;
    CHECK(heap_calls > 0);
    printf("  parsing made %lu heap calls (counted, as expected)\n", heap_calls);
    for (vpnha_algorithm a = 0; a < 4; a++) {
        CHECK_STATUS(vpnha_ecmp_group_init_site(t, 0, a, 0x5eed, &groups[a]), VPNHA_OK);
    }
    vpnha_topology_free(t);
    free(text);
}

static void the_packet_path_never_allocates(void) {
    for (size_t i = 0; i < KEYS; i++) {
        uint64_t r = rng();
        memset(&keys[i], 0, sizeof keys[i]);
        memcpy(keys[i].src, &r, 4);
        memcpy(keys[i].dst, (char *)&r + 4, 4);
        keys[i].family = (r >> 62) ? VPNHA_FAMILY_IPV4 : VPNHA_FAMILY_IPV6;
        keys[i].protocol = 6;
        keys[i].src_port = (uint16_t)r;
        keys[i].dst_port = 443;
    }
    unsigned long selects = 0, batches = 0, changes = 0, failures = 0;
    uint64_t sink = 0;
    counting = 1;
    heap_calls = 0;
    for (vpnha_algorithm a = 0; a < 4; a++) {
        vpnha_ecmp_group *g = &groups[a];
        for (int round = 0; round < 250; round++) {
            /* Fail and restore a tunnel now and then (Maglev rebuilds its table each time). */
            if (round % 50 == 0) {
                failures += vpnha_ecmp_group_set_up(g, (size_t)round / 50 % 4, false) != VPNHA_OK;
                changes++;
            }
            if (round % 50 == 25) {
                failures += vpnha_ecmp_group_set_up(g, (size_t)round / 50 % 4, true) != VPNHA_OK;
                changes++;
            }
            for (size_t i = 0; i < KEYS; i++) {
                uint16_t t = 0;
                failures += vpnha_ecmp_group_select(g, &keys[i], &t) != VPNHA_OK;
                sink += t;
                selects++;
            }
            if (round % 10 == 0) {
                failures += vpnha_ecmp_group_select_many(g, keys, KEYS, out, KEYS) != VPNHA_OK;
                sink += out[0];
                batches++;
            }
        }
        /* Every tunnel down and back: the "none" answers allocate nothing either. */
        failures += vpnha_ecmp_group_set_all_up(g, false) != VPNHA_OK;
        uint16_t t = 0;
        failures += vpnha_ecmp_group_select(g, &keys[0], &t) != VPNHA_NO_TUNNEL;
        failures += vpnha_ecmp_group_select_many(g, keys, KEYS, out, KEYS) != VPNHA_OK;
        failures += vpnha_ecmp_group_set_all_up(g, true) != VPNHA_OK;
        changes += 2;
    }
    counting = 0;
    printf("  %lu selects, %lu batches of %d, %lu state changes: %lu heap calls\n", selects,
           batches, KEYS, changes, heap_calls);
    CHECK(selects >= 1000000);
    CHECK(failures == 0);
    CHECK(heap_calls == 0);
    CHECK(sink > 0);
}

int main(int argc, char **argv) {
    REQUIRE(argc == 2);
    root = argv[1];
    RUN(loading_a_topology_allocates);
    RUN(the_packet_path_never_allocates);
    return check_summary("test_noalloc");
}
