/*
 * The firmware pattern: load the topology once at start-up, refuse it if it has errors,
 * build the site's ECMP group in static memory, then pick a tunnel for every packet with
 * no allocation. Midway a tunnel fails (as BFD or DPD would report); selection goes on, and
 * only the flows that were on the failed tunnel move.
 *
 *   cc -std=c11 firmware_loop.c $(pkg-config --cflags --libs --static vpnha) -o firmware_loop
 *   ./firmware_loop examples/dual-redundancy.yaml hq
 *
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpnha.h"

enum { FLOWS = 10000, PACKETS_PER_FLOW = 100, MAX_ID = 64 };

/* Everything the packet path touches is static: no heap after start-up. */
static vpnha_ecmp_group group;
static char tunnel_ids[VPNHA_MAX_TUNNELS][MAX_ID];
static size_t tunnel_count;
static vpnha_flow_key flows[FLOWS];
static uint16_t first_choice[FLOWS];
static unsigned long per_tunnel[VPNHA_MAX_TUNNELS];

static int fail(const char *what, vpnha_status status) {
    fprintf(stderr, "firmware_loop: %s: %s\n", what, vpnha_status_message(status));
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

/* Start-up: parse, validate, build the group, remember the tunnel ids for the logs. */
static int load(const char *path, const char *site_name) {
    if (strcmp(vpnha_version(), VPNHA_VERSION) != 0) {
        fprintf(stderr, "firmware_loop: header %s but library %s\n", VPNHA_VERSION, vpnha_version());
        return 1;
    }
    size_t len = 0;
    char *text = read_file(path, &len);
    if (text == NULL) {
        fprintf(stderr, "firmware_loop: cannot read %s\n", path);
        return 1;
    }
    vpnha_topology *topology = NULL;
    char error[512];
    vpnha_status s = vpnha_topology_parse(text, len, VPNHA_FORMAT_YAML, &topology, error,
                                          sizeof error, NULL);
    free(text);
    if (s != VPNHA_OK) {
        fprintf(stderr, "firmware_loop: %s: %s\n", path, error);
        return 1;
    }

    vpnha_findings *findings = NULL;
    size_t errors = 0;
    s = vpnha_topology_validate(topology, &findings);
    if (s == VPNHA_OK) s = vpnha_findings_count_severity(findings, VPNHA_SEVERITY_ERROR, &errors);
    if (s == VPNHA_OK && errors > 0) {
        char log[4096];
        size_t log_len = 0;
        if (vpnha_findings_write_text(findings, log, sizeof log, &log_len) == VPNHA_OK) {
            fputs(log, stderr);
        }
        fprintf(stderr, "firmware_loop: %zu errors: refusing the topology\n", errors);
        s = VPNHA_INVALID_INPUT;
    }
    vpnha_findings_free(findings);

    size_t site = 0;
    size_t tunnels[VPNHA_MAX_TUNNELS];
    if (s == VPNHA_OK) s = vpnha_topology_site_find(topology, site_name, strlen(site_name), &site);
    if (s == VPNHA_OK) {
        s = vpnha_topology_site_tunnels(topology, site, tunnels, VPNHA_MAX_TUNNELS, &tunnel_count);
    }
    for (size_t i = 0; s == VPNHA_OK && i < tunnel_count; i++) {
        size_t id_len = 0;
        s = vpnha_topology_tunnel_id(topology, tunnels[i], tunnel_ids[i], MAX_ID, &id_len);
    }
    /* The HA peer uses the same seed and settings, so both pick the same tunnel per flow;
     * symmetric mode sends both directions of a flow through one tunnel. */
    if (s == VPNHA_OK) {
        s = vpnha_ecmp_group_init_site(topology, site, VPNHA_ALGORITHM_STABLE, 0x5eed, &group);
    }
    if (s == VPNHA_OK) s = vpnha_ecmp_group_set_symmetric(&group, true);
    vpnha_topology_free(topology); /* the group and the ids are copies */
    if (s != VPNHA_OK) return fail("loading the site", s);
    printf("loaded %s, site %s: %zu tunnels\n", path, site_name, tunnel_count);
    return 0;
}

/* A fixed pseudo-random flow from documentation addresses. */
static vpnha_flow_key make_flow(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    vpnha_flow_key k;
    memset(&k, 0, sizeof k);
    k.family = VPNHA_FAMILY_IPV4;
    k.src[0] = 10; k.src[1] = 1; k.src[2] = (uint8_t)(z >> 8); k.src[3] = (uint8_t)(z >> 16);
    k.dst[0] = 192; k.dst[1] = 168; k.dst[2] = (uint8_t)(z >> 24); k.dst[3] = (uint8_t)(z >> 32);
    k.protocol = (z & 1) ? 6 : 17;
    k.src_port = (uint16_t)(1024 + (z >> 40) % 60000);
    k.dst_port = 443;
    return k;
}

/* The packet path: one select per packet, counting where packets go. */
static int forward(unsigned long *moved, size_t failed) {
    for (int p = 0; p < PACKETS_PER_FLOW; p++) {
        for (size_t f = 0; f < FLOWS; f++) {
            uint16_t tunnel;
            vpnha_status s = vpnha_ecmp_group_select(&group, &flows[f], &tunnel);
            if (s != VPNHA_OK) return fail("select", s);
            if (tunnel == failed) {
                fprintf(stderr, "firmware_loop: a packet went to the failed tunnel\n");
                return 1;
            }
            per_tunnel[tunnel]++;
            if (p == 0 && moved != NULL && tunnel != first_choice[f]) (*moved)++;
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "examples/dual-redundancy.yaml";
    const char *site = argc > 2 ? argv[2] : "hq";
    if (load(path, site) != 0) return 1;

    uint64_t state = 1;
    for (size_t f = 0; f < FLOWS; f++) {
        flows[f] = make_flow(&state);
        vpnha_status s = vpnha_ecmp_group_select(&group, &flows[f], &first_choice[f]);
        if (s != VPNHA_OK) return fail("select", s);
    }
    if (forward(NULL, VPNHA_NONE) != 0) return 1;
    printf("%d packets over %d flows, all tunnels up:\n", FLOWS * PACKETS_PER_FLOW, FLOWS);
    for (size_t t = 0; t < tunnel_count; t++) {
        printf("  %-12s %lu\n", tunnel_ids[t], per_tunnel[t]);
    }

    /* Tunnel 1 fails. */
    size_t failed = tunnel_count > 1 ? 1 : 0;
    vpnha_status s = vpnha_ecmp_group_set_up(&group, failed, false);
    if (s != VPNHA_OK) return fail("set_up", s);
    unsigned long on_failed = 0, moved = 0;
    for (size_t f = 0; f < FLOWS; f++) on_failed += first_choice[f] == failed;
    memset(per_tunnel, 0, sizeof per_tunnel);
    if (tunnel_count == 1) {
        uint16_t t;
        s = vpnha_ecmp_group_select(&group, &flows[0], &t);
        printf("the only tunnel is down: %s\n", vpnha_status_message(s));
        return s == VPNHA_NO_TUNNEL ? 0 : 1;
    }
    if (forward(&moved, failed) != 0) return 1;
    printf("%s down: %lu of %d flows moved (exactly the %lu it carried):\n", tunnel_ids[failed],
           moved, FLOWS, on_failed);
    for (size_t t = 0; t < tunnel_count; t++) {
        printf("  %-12s %lu\n", tunnel_ids[t], per_tunnel[t]);
    }
    return moved == on_failed ? 0 : 1;
}
