/*
 * Per-flow cost of vpnha_ecmp_group_select called from C, the way firmware calls it: one call
 * per packet through the C ABI, status checked. The flows are those of the Rust benchmarks
 * (vpnha_benches::Flows, seed 7, 1024 flows) and the groups those of
 * benches/examples/select_timing.rs, which times EcmpGroup::select in Rust; benches/c/compare.sh
 * runs both and puts the figures side by side.
 *
 * Prints one line per case: "select <case> <median ns per flow>", and the same for
 * vpnha_ecmp_group_select_many as "select_many <case> ...".
 *
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vpnha.h"

enum { FLOWS = 1024, PASSES = 400, SAMPLES = 15 };
static const uint64_t SEED = 0x5eed;

static vpnha_ecmp_group group;
static vpnha_flow_key flows[FLOWS];
static uint16_t out[FLOWS];
static volatile uint32_t sink;

/* vpnha_benches::Flows: SplitMix64 from a seed. */
static uint64_t state;
static uint64_t next_u64(void) {
    state += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static vpnha_flow_key flow_v4(void) {
    static const uint16_t ports[4] = {443, 53, 4500, 8443};
    uint64_t r = next_u64();
    vpnha_flow_key k;
    memset(&k, 0, sizeof k);
    if ((r & 1) == 0) {
        k.src[0] = 192; k.src[1] = 0; k.src[2] = 2;
    } else {
        k.src[0] = 198; k.src[1] = 51; k.src[2] = 100;
    }
    k.src[3] = (uint8_t)(r >> 8);
    k.dst[0] = 203; k.dst[1] = 0; k.dst[2] = 113; k.dst[3] = (uint8_t)(r >> 16);
    k.protocol = (r & 2) == 0 ? 6 : 17;
    k.src_port = (uint16_t)(1024 + (uint16_t)(r >> 24) % 60000);
    k.dst_port = ports[(r >> 40) % 4];
    k.family = VPNHA_FAMILY_IPV4;
    return k;
}

static vpnha_flow_key flow_v6(void) {
    uint64_t r = next_u64(), q = next_u64();
    vpnha_flow_key k;
    memset(&k, 0, sizeof k);
    static const uint8_t net[4] = {0x20, 0x01, 0x0d, 0xb8};
    memcpy(k.src, net, 4);
    memcpy(k.dst, net, 4);
    k.src[4] = 1;
    k.dst[4] = 2;
    for (int i = 0; i < 8; i++) {
        k.src[8 + i] = (uint8_t)(r >> (56 - 8 * i));
        k.dst[8 + i] = (uint8_t)(q >> (56 - 8 * i));
    }
    k.flow_label = (q & 1) == 0 ? 0 : (uint32_t)(q >> 12) & 0xfffff;
    k.protocol = 6;
    k.src_port = (uint16_t)(1024 + (uint16_t)(q >> 24) % 60000);
    k.dst_port = 443;
    k.family = VPNHA_FAMILY_IPV6;
    return k;
}

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double time_select(void) {
    double samples[SAMPLES];
    for (int s = 0; s < SAMPLES; s++) {
        uint32_t acc = 0;
        double start = now_ns();
        for (int p = 0; p < PASSES; p++) {
            for (size_t i = 0; i < FLOWS; i++) {
                uint16_t t = 0;
                if (vpnha_ecmp_group_select(&group, &flows[i], &t) == VPNHA_OK) acc += t;
            }
        }
        samples[s] = (now_ns() - start) / ((double)PASSES * FLOWS);
        sink += acc;
    }
    qsort(samples, SAMPLES, sizeof samples[0], cmp);
    return samples[SAMPLES / 2];
}

static double time_select_many(void) {
    double samples[SAMPLES];
    for (int s = 0; s < SAMPLES; s++) {
        double start = now_ns();
        for (int p = 0; p < PASSES; p++) {
            if (vpnha_ecmp_group_select_many(&group, flows, FLOWS, out, FLOWS) == VPNHA_OK) {
                sink += out[p % FLOWS];
            }
        }
        samples[s] = (now_ns() - start) / ((double)PASSES * FLOWS);
    }
    qsort(samples, SAMPLES, sizeof samples[0], cmp);
    return samples[SAMPLES / 2];
}

int main(void) {
    static const char *const names[4] = {"stable", "rendezvous", "maglev", "hash-threshold"};
    for (int ipv6 = 0; ipv6 < 2; ipv6++) {
        state = 7;
        for (size_t i = 0; i < FLOWS; i++) flows[i] = ipv6 ? flow_v6() : flow_v4();
        for (size_t n = 2; n <= 16; n *= 2) {
            for (int down = 0; down < 2; down++) {
                for (vpnha_algorithm a = 0; a < 4; a++) {
                    if (vpnha_ecmp_group_init(n, a, SEED, &group) != VPNHA_OK ||
                        (down && vpnha_ecmp_group_set_up(&group, n / 2, false) != VPNHA_OK)) {
                        fprintf(stderr, "select_timing: group setup failed\n");
                        return 1;
                    }
                    char name[96];
                    snprintf(name, sizeof name, "%s/n=%zu/%s/%s", ipv6 ? "ipv6" : "ipv4", n,
                             down ? "one-down" : "all-up", names[a]);
                    printf("select %s %.3f\n", name, time_select());
                    printf("select_many %s %.3f\n", name, time_select_many());
                    fflush(stdout);
                }
            }
        }
    }
    return sink == 0xFFFFFFFF ? 1 : 0;
}
