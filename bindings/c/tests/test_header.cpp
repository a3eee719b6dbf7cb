// The header compiles as C++ (g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror) and its
// functions link with C linkage from C++.
//
// SPDX-License-Identifier: MIT OR Apache-2.0
#include "vpnha.h"

#include <cstdio>
#include <cstring>

static_assert(sizeof(vpnha_flow_key) == 44, "the key is the Rust FlowKey");
static_assert(sizeof(vpnha_ecmp_group) == VPNHA_ECMP_GROUP_SIZE, "fixed group size");
static_assert(sizeof(vpnha_status) == 4, "a status is a uint32_t");
static_assert(sizeof(void *) != 8 || sizeof(vpnha_analysis_options) == 152,
              "the options' layout is fixed for the ABI");

static vpnha_ecmp_group group;

int main() {
    vpnha_status s = vpnha_ecmp_group_init(4, VPNHA_ALGORITHM_STABLE, 1, &group);
    vpnha_flow_key key{};
    key.family = VPNHA_FAMILY_IPV4;
    key.protocol = 6;
    key.src[0] = 192;
    key.dst[0] = 198;
    uint16_t tunnel = VPNHA_NONE;
    if (s == VPNHA_OK) {
        s = vpnha_ecmp_group_select(&group, &key, &tunnel);
    }
    // The options structure from C++: defaults, then a string literal for the site.
    vpnha_analysis_options options;
    const vpnha_status d = vpnha_analysis_options_default(sizeof options, &options);
    options.site = "hq";
    const bool ok = s == VPNHA_OK && tunnel < 4 && d == VPNHA_OK &&
                    options.struct_size == sizeof options &&
                    std::strcmp(vpnha_version(), VPNHA_VERSION) == 0;
    std::printf("test_header (C++): %d passed, %d failed\n", ok ? 1 : 0, ok ? 0 : 1);
    return ok ? 0 : 1;
}
